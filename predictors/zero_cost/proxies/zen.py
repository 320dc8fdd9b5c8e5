"""zen: Zen-score, the log expected feature change under a tiny input perturbation plus the
BN scaling.

Paper: Lin et al., "Zen-NAS: A Zero-Shot NAS for High-Performance Image Recognition", ICCV 2021.
Convention (ZenNAS ``compute_zen_score``, as adapted to NB201 by AZ-NAS; repeat 1): a copy with
every Conv2d / Linear weight drawn from N(0, 1) (biases 0, BN weight 1 / bias 0, fresh BN
statistics), train-mode BN, two Gaussian batches of 64 ``a`` and ``b`` (no real images);
``log(mean_batch sum|f(a) - f(a + 0.01 b)|) + sum_BN log sqrt(mean running_var)``, with ``f`` the
feature map before global pooling and the running variances left by those two forward passes
(momentum 0.1). NaN when the output ignores the input.
"""

from predictors.zero_cost.base import Proxy

PROXY = Proxy(
    name="zen",
    needs=("zen:zen",),
    score=lambda o: o["zen"]["zen"],
    paper="Lin et al., ICCV 2021",
    convention="N(0,1) weights, Gaussian inputs (batch 64), mixup 0.01, train-mode BN, repeat 1",
    input_dependent=True,
)
