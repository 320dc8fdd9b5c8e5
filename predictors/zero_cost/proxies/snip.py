"""snip: connection sensitivity, the summed |weight * gradient| of the layers.

Paper: Lee et al., "SNIP: Single-shot Network Pruning based on Connection Sensitivity", ICLR
2019; as a NAS proxy Abdelfattah et al., ICLR 2021.
Convention (zero-cost-nas ``snip``): one batch of 64, mean cross-entropy, BN in train mode,
``sum |dL/dW * W|`` over Conv2d / Linear weights (zero-cost-nas gets the same number through a
weight mask; NASLib likewise).
"""

from predictors.zero_cost.base import Proxy
from predictors.zero_cost.proxies._common import layer_sum

PROXY = Proxy(
    name="snip",
    needs=("data:grad",),
    score=lambda o: layer_sum(o, lambda w, g: (w * g).abs()),
    paper="Lee et al., ICLR 2019; Abdelfattah et al., ICLR 2021",
    input_dependent=True,
    convention="batch 64, default init, train-mode BN, CE loss; sum |W * dL/dW|",
)
