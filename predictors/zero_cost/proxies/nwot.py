"""nwot: NASWOT, the log-determinant of the Hamming-similarity kernel of ReLU patterns.

Paper: Mellor et al., "Neural Architecture Search without Training", ICML 2021.
Convention (NASLib ``nwot``; the paper's own code used batch 128): the batch of 64, default
init, train-mode BN; for every ReLU the binary pattern ``c = (input > 0)`` per image,
``K += c c^T + (1 - c)(1 - c)^T`` summed over ReLUs; score ``log|det K|`` (``slogdet``).
"""

import numpy as np

from predictors.zero_cost.base import Proxy, Undefined


def _score(o):
    codes = o["data"]["codes"]
    if not codes:
        raise Undefined("the network has no ReLU")
    k = 0.0
    for c in codes:
        # c c^T + (1-c)(1-c)^T = 2 c c^T - s_i - s_j + n (s: ones per row), one matmul; float32
        # is exact here (integers below 2**24), the running sum is float64
        c = c.float()
        s = c.sum(1)
        k = k + (2 * (c @ c.T) - s[:, None] - s[None, :] + c.shape[1]).double()
    sign, logdet = np.linalg.slogdet(k.cpu().numpy())
    if sign == 0:
        raise Undefined("the ReLU pattern kernel is singular (identical patterns)")
    return float(logdet)


PROXY = Proxy(
    name="nwot",
    needs=("data:codes",),
    score=_score,
    paper="Mellor et al., ICML 2021",
    convention="batch 64, default init, train-mode BN; slogdet of sum over ReLUs of Hamming kernels",
    input_dependent=True,
)
