"""swap: the number of distinct sample-wise activation patterns.

Paper: Peng et al., "SWAP-NAS: Sample-Wise Activation Patterns for Ultra-fast NAS", ICLR 2024.
Convention (official ``SWAP`` class, regularisation off: the official ``compute_swap`` sets
``mu`` and ``sigma`` from the network itself, which makes the factor exactly 1): the batch of 64
real images, default init, train-mode BN; the sign of every ReLU output (4-D inputs) of every
image, concatenated over ReLUs into a ``(64, neurons)`` matrix; score = the number of distinct
columns (neurons with distinct patterns across the 64 images).
"""

import torch

from predictors.zero_cost.base import Proxy, Undefined

_BITS = torch.tensor([1 << i for i in range(63)] + [-(1 << 63)], dtype=torch.int64)


def _score(o):
    codes = o["data"]["codes"]
    if not codes:
        raise Undefined("the network has no ReLU")
    c = torch.cat(codes, dim=1)  # (images, neurons), bool
    n = c.shape[0]
    keys = []
    for start in range(0, n, 64):  # pack up to 64 images' bits into one int64 per neuron
        part = c[start:start + 64].to(torch.int64)
        keys.append((part * _BITS[: part.shape[0], None].to(part.device)).sum(0))
    if len(keys) == 1:  # a 1-D unique sorts plain integers: far faster than rows (dim=0)
        return float(torch.unique(keys[0]).numel())
    return float(torch.unique(torch.stack(keys, 1), dim=0).shape[0])


PROXY = Proxy(
    name="swap",
    needs=("data:codes",),
    score=_score,
    paper="Peng et al., ICLR 2024",
    convention="batch 64 real images, default init, train-mode BN; distinct ReLU sign patterns per neuron",
    input_dependent=True,
)
