"""grasp: gradient signal preservation, ``-sum(W * H g)``.

Paper: Wang et al., "Picking Winning Tickets Before Training by Preserving Gradient Flow", ICLR
2020; as a NAS proxy Abdelfattah et al., ICLR 2021.
Convention (zero-cost-nas ``grasp``, temperature 1, one batch): ``g = dL/dW`` on the batch, then
the Hessian-gradient product ``H g = d(g_const . dL/dW)/dW``, score ``-sum W * Hg`` over Conv2d /
Linear weights. zero-cost-nas runs two forward passes for the two gradients; here both come from
one forward (the same batch and train-mode BN give the same gradient, so the numbers agree) with
a double backward.

What the score measures on BN networks: a bias-free conv whose output reaches train-mode BN
through bias-free linear layers only (a depthwise conv before its pointwise one, too) is scale
invariant, ``L(cW) = L(W)``, exactly as BN's ``eps`` goes to 0. Differentiating ``W . dL/dW = 0``
gives ``H W = -g`` on the layer, so its term ``-W . (H g)`` is its squared gradient norm
``|g|^2``. Every conv of NB101 and DARTS networks is such a layer, so there the score is the convs'
squared gradient norm plus the classifier's term, up to ``eps``: its effect grows as a BN's input
variance shrinks towards it (small on NB101 at init, large in deep DARTS cells, where some
layers' terms change sign). NB201's BN-free downsample convs add their own terms. The exact double
backward is kept for every layer: it is the published convention, and it is the most expensive
part of the fused passes (on NB201 cells about 2.2 forward + backward equivalents: the fused run
with and without GraSP in ``benchmarks/results/proxy_speed.md``).
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
