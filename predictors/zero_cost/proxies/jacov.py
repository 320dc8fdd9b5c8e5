"""jacov: the Jacobian covariance score of NASWOT's first version.

Paper: Mellor et al., "Neural Architecture Search without Training" (arXiv v1, 2020); as a proxy
Abdelfattah et al., ICLR 2021 (``jacob_cov``).
Convention (zero-cost-nas ``jacob_cov``): the input gradient ``J = d sum(logits) / dx`` for the
batch of 64 (train-mode BN), the 64 x 64 correlation matrix of its rows, eigenvalues ``v``,
score ``-sum(log(v + 1e-5) + 1 / (v + 1e-5))``. NaN when the output ignores the input.
"""

import numpy as np

from predictors.zero_cost.base import Proxy, Undefined


def _score(o):
    jac = o["data"]["jacobian"].double().cpu().numpy()
    if not np.any(jac):
        raise Undefined("the Jacobian is zero: the output does not depend on the input")
    corr = np.corrcoef(jac)
    if not np.all(np.isfinite(corr)):
        raise Undefined("the Jacobian correlation matrix is undefined (a constant row)")
    v = np.linalg.eigvalsh(corr)
    k = 1e-5
    return float(-np.sum(np.log(v + k) + 1.0 / (v + k)))


PROXY = Proxy(
    name="jacov",
    needs=("data:jacobian",),
    score=_score,
    paper="Mellor et al., arXiv 2006.04647v1; Abdelfattah et al., ICLR 2021",
    convention="batch 64, default init, train-mode BN; J = d sum(logits)/dx; -sum(log(v+k)+1/(v+k))",
    input_dependent=True,
)
