"""params: the number of trainable parameters, in millions.

Paper: NAS-Bench-Suite-Zero baseline (Krishnakumar et al., NeurIPS 2022 D&B).
Convention: every parameter of the network as the benchmark built it (BN affine parameters
included), as NB201's published ``params``.
"""

from predictors.zero_cost.base import Proxy

PROXY = Proxy(
    name="params",
    needs=("static:net",),
    score=lambda o: sum(p.numel() for p in o["static"]["net"].parameters() if p.requires_grad) / 1e6,
    paper="Krishnakumar et al., NeurIPS 2022 (NAS-Bench-Suite-Zero)",
    convention="trainable parameters of the benchmark's network, millions",
)
