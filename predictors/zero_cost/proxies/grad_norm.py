"""grad_norm: the summed L2 norms of the loss gradients of the layers' weights.

Paper: Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS", ICLR 2021 (after Wang et al.).
Convention (zero-cost-nas ``grad_norm``, BN kept): one batch of 64, mean cross-entropy, the sum
over Conv2d / Linear layers of ``||dL/dW||_2`` (per layer, not over all weights at once).
NASLib computes the same; its Suite-Zero scores used a different random batch and init.
"""

from predictors.zero_cost.base import Proxy

PROXY = Proxy(
    name="grad_norm",
    needs=("data:grad",),
    score=lambda o: float(sum(float(g.norm()) for g in o["data"]["grad"])),
    paper="Abdelfattah et al., ICLR 2021",
    input_dependent=True,
    convention="batch 64, default init, train-mode BN, CE loss; sum over layers of ||grad||_2",
)
