"""grasp: gradient signal preservation, ``-sum(W * H g)``.

Paper: Wang et al., "Picking Winning Tickets Before Training by Preserving Gradient Flow", ICLR
2020; as a NAS proxy Abdelfattah et al., ICLR 2021.
Convention (zero-cost-nas ``grasp``, temperature 1, one batch): ``g = dL/dW`` on the batch, then
the Hessian-gradient product ``H g = d(g_const . dL/dW)/dW``, score ``-sum W * Hg`` over Conv2d /
Linear weights. zero-cost-nas runs two forward passes for the two gradients; here both come from
one forward (the same batch and train-mode BN give the same gradient, so the numbers agree) with
a double backward.
"""

from predictors.zero_cost.base import Proxy


def _score(o):
    data = o["data"]
    return float(sum(float((-w * h).sum()) for w, h in zip(data["weights"], data["hvp"])))


PROXY = Proxy(
    name="grasp",
    needs=("data:hvp",),
    score=_score,
    paper="Wang et al., ICLR 2020; Abdelfattah et al., ICLR 2021",
    input_dependent=True,
    convention="batch 64, default init, train-mode BN, CE loss, T=1; -sum W * (H g)",
)
