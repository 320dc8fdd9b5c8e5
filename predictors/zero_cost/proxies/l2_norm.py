"""l2_norm: the summed L2 norms of the layers' weights at initialisation.

Paper: NAS-Bench-Suite-Zero (Krishnakumar et al., NeurIPS 2022 D&B) baseline.
Convention (NASLib ``l2_norm``): ``sum over Conv2d / Linear layers of ||W||_2`` at the init the
network's builder draws under the run's seed (PyTorch's defaults; NB101: the benchmark's TensorFlow
initialisers, where Suite-Zero's NB101 scores used zero-cost-nas's, ``nb101.reset_parameters``).
It reads no data. On a graph (NAS-Bench-Graph GNNs) the
weights are every parameter except biases and BatchNorm's (``graph_passes.graph_weights``: PyG's
``Linear`` modules, ARMA's weight tensors, GAT's attention vectors), as the graph passes give them.
"""

from predictors.zero_cost.base import Proxy
from predictors.zero_cost.passes import weighted_layers


def _score(o):
    static = o["static"]
    if "weights" in static:  # the graph passes name the weights themselves
        return float(sum(float(w.detach().norm()) for w in static["weights"]))
    return float(sum(float(m.weight.detach().norm()) for m in weighted_layers(static["net"])))


PROXY = Proxy(
    name="l2_norm",
    needs=("static:net",),
    score=_score,
    paper="Krishnakumar et al., NeurIPS 2022 (NAS-Bench-Suite-Zero)",
    convention="default init; sum over layers of ||W||_2",
)
