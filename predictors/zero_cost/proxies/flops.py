"""flops: multiply-adds of one forward pass of one image, in millions.

Paper: NAS-Bench-Suite-Zero baseline (Krishnakumar et al., NeurIPS 2022 D&B).
Convention (as NATS-Bench counts FLOPs): Conv2d and Linear multiply-adds only, a bias counted as
one per output; pooling, BN and activations are free. Measured with forward hooks on one image
at the dataset's resolution.
"""

from predictors.zero_cost.base import Proxy

PROXY = Proxy(
    name="flops",
    needs=("single:macs",),
    score=lambda o: o["single"]["macs"] / 1e6,
    paper="Krishnakumar et al., NeurIPS 2022 (NAS-Bench-Suite-Zero)",
    convention="conv + linear multiply-adds of one image (NATS-Bench counting), millions",
)
