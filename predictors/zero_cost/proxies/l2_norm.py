"""l2_norm: the summed L2 norms of the layers' weights at initialisation.

Paper: NAS-Bench-Suite-Zero (Krishnakumar et al., NeurIPS 2022 D&B) baseline.
Convention (NASLib ``l2_norm``): ``sum over Conv2d / Linear layers of ||W||_2`` at PyTorch's
default init drawn under the run's seed. It reads no data.
"""

from predictors.zero_cost.base import Proxy
from predictors.zero_cost.passes import weighted_layers

PROXY = Proxy(
    name="l2_norm",
    needs=("static:net",),
    score=lambda o: float(sum(float(m.weight.detach().norm()) for m in weighted_layers(o["static"]["net"]))),
    paper="Krishnakumar et al., NeurIPS 2022 (NAS-Bench-Suite-Zero)",
    convention="default init; sum over layers of ||W||_2",
)
