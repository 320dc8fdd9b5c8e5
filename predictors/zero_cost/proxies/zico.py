"""zico: inverse coefficient of variation of the gradients across batches.

Paper: Li et al., "ZiCo: Zero-shot NAS via Inverse Coefficient of Variation on Gradients", ICLR
2023.
Convention (official ``compute_zico``, as run on NB201 by AZ-NAS: two batches of 64 real
images, default init, train-mode BN, mean cross-entropy): per Conv2d / Linear layer, over the
weight elements whose gradient differs between the two batches,
``log(sum(mean|g| / std(g)))`` (std over the two batches, ddof 0), summed over layers (a layer
whose sum is 0 is skipped). The first batch's gradients are the shared data pass's. On a graph
the two batches are two class-balanced halves of the training nodes, both from the ``data2`` pass
(``grad_first``, ``grad``; see ``predictors.zero_cost.graph_passes``).
"""

import numpy as np

from predictors.zero_cost.base import Proxy, Undefined


def _score(o):
    total, used = 0.0, 0
    first = o["data2"].get("grad_first", o["data"]["grad"])  # a graph's own first half
    for g1, g2 in zip(first, o["data2"]["grad"]):
        g = np.stack([g1.double().cpu().numpy().ravel(), g2.double().cpu().numpy().ravel()])
        std = g.std(axis=0)
        nz = std != 0
        s = float(np.sum(np.abs(g).mean(axis=0)[nz] / std[nz]))
        if s != 0:
            total += np.log(s)
            used += 1
    if not used:
        raise Undefined("no weight gradient varies between the two batches")
    return float(total)


PROXY = Proxy(
    name="zico",
    needs=("data:grad", "data2:grad"),
    score=_score,
    paper="Li et al., ICLR 2023",
    input_dependent=True,
    convention="2 batches of 64, default init, train-mode BN, CE; sum_layers log sum(mean|g|/std g)",
)
