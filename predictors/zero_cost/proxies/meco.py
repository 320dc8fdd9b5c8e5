"""meco: the summed minimum eigenvalues of the layers' channel-correlation matrices.

Paper: Jiang et al., "MeCo: Zero-Shot NAS with One Data and Single Forward Pass via Minimum
Eigenvalue of Correlation", NeurIPS 2023.
Convention (official ``correlation/NAS_Bench_201.py``, measure ``meco``): ONE real image (the
first of the batch), default init, train-mode BN (statistics of that image), one forward pass;
for the output of every module call, the correlation matrix between its channels (rows of
``C x HW``; NaN / inf entries set to 0), its smallest eigenvalue; the sum over module calls,
non-finite terms dropped. The official code hooks every module of zero-cost-nas's NB201 model,
which differs from the benchmark's (non-affine BN and conv biases inside cells, each stage
wrapped in a Sequential whose output repeats its last cell's); here the hooks see the
benchmark's network, so the module set differs by those wrappers. On a graph the one data is the
whole graph: each ``(N, C)`` module output's channel correlation over the nodes
(``predictors.zero_cost.graph_passes``).
"""

import math

from predictors.zero_cost.base import Proxy, Undefined


def _score(o):
    terms = [v for v in o["single"]["meco"] if math.isfinite(v)]
    if not terms:
        raise Undefined("no module output with two or more channels")
    return float(sum(terms))


PROXY = Proxy(
    name="meco",
    needs=("single:meco",),
    score=_score,
    paper="Jiang et al., NeurIPS 2023",
    convention="1 real image, default init, train-mode BN; sum over module outputs of min eig corr(C x HW)",
    input_dependent=True,
)
