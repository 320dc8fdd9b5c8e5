"""synflow: synaptic flow, ``sum |W * dR/dW|`` with ``R`` the summed output of the linearised net.

Paper: Tanaka et al., "Pruning neural networks without any data by iteratively conserving
synaptic flow", NeurIPS 2020; as a NAS proxy Abdelfattah et al., ICLR 2021.
Convention (zero-cost-nas ``synflow``, i.e. without BN): a float64 copy with every BatchNorm
removed and every parameter replaced by its absolute value, one all-ones input image, ``R =
sum(logits)``; score ``sum |W * dR/dW|`` over Conv2d / Linear weights. float64 keeps deep nets from
overflowing; an overflow still gives NaN with the reason. (zero-cost-nas's ``synflow_bn`` keeps
BN; NASLib's Suite-Zero ``synflow`` removes it, as here.)
"""

from predictors.zero_cost.base import Proxy

PROXY = Proxy(
    name="synflow",
    needs=("synflow:synflow",),
    score=lambda o: o["synflow"]["synflow"],
    paper="Tanaka et al., NeurIPS 2020; Abdelfattah et al., ICLR 2021",
    convention="float64, BN removed, |params|, one all-ones input; sum |W * dR/dW|",
)
