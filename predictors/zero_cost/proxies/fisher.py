"""fisher: the summed per-channel Fisher information of the layers' outputs.

Paper: Turner et al., "BlockSwap: Fisher-guided Block Substitution for Network Compression on a
Budget", ICLR 2020; as a NAS proxy Abdelfattah et al., ICLR 2021.
Convention (zero-cost-nas ``fisher``, channel mode): for every Conv2d / Linear output ``a`` with
loss gradient ``g``, per channel ``0.5 * mean_batch((sum_hw a * g)^2)``, broadcast to the
channel's weights (zero-cost-nas's ``broadcast_val``: the channel's value counts once per weight,
``C_in * k * k`` times) and summed over channels and layers. zero-cost-nas hooks an identity after
each layer; here the layer outputs themselves are differentiated (the same tensors).
"""

from predictors.zero_cost.base import Proxy

PROXY = Proxy(
    name="fisher",
    needs=("data:fisher",),
    score=lambda o: o["data"]["fisher"],
    paper="Turner et al., ICLR 2020; Abdelfattah et al., ICLR 2021",
    input_dependent=True,
    convention="batch 64, default init, train-mode BN, CE loss; sum over channels of fan_in * 0.5*mean((sum_hw a*g)^2)",
)
