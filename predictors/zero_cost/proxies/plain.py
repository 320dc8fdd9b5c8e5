"""plain: the summed ``weight * gradient`` without absolute value.

Paper: Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS", ICLR 2021 (baseline).
Convention (zero-cost-nas ``plain``): batch of 64, mean cross-entropy, train-mode BN,
``sum dL/dW * W`` over Conv2d / Linear weights.
"""

from predictors.zero_cost.base import Proxy
from predictors.zero_cost.proxies._common import layer_sum

PROXY = Proxy(
    name="plain",
    needs=("data:grad",),
    score=lambda o: layer_sum(o, lambda w, g: w * g),
    paper="Abdelfattah et al., ICLR 2021",
    input_dependent=True,
    convention="batch 64, default init, train-mode BN, CE loss; sum W * dL/dW",
)
