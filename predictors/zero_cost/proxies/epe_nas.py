"""epe_nas: per-class Jacobian correlation spread.

Paper: Lopes et al., "EPE-NAS: Efficient Performance Estimation Without Training for Neural
Architecture Search", ICANN 2021.
Convention (NASLib ``epe_nas``): the input Jacobian ``J = d sum(logits)/dx`` of the batch of 64
(train-mode BN), rows grouped by label; per class ``s_c = sum log(|corr(J_c)| + 1e-5)``; score
``sum_{c, c'} |s_c - s_c'| / (number of classes present)`` (for up to 100 classes; above that
NASLib divides ``s_c`` by the class size and sums, as here).
"""

import numpy as np

from predictors.zero_cost.base import Proxy, Undefined


def _score(o):
    jac = o["data"]["jacobian"].double().cpu().numpy()
    labels = o["data"]["labels"].cpu().numpy()
    if not np.any(jac):
        raise Undefined("the Jacobian is zero: the output does not depend on the input")
    n_classes = int(labels.max()) + 1
    per = {}
    for c in np.unique(labels):
        rows = jac[labels == c]
        if len(rows) < 2:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.corrcoef(rows)
        s = float(np.sum(np.log(np.abs(corr) + 1e-5)))
        if n_classes > 100:
            s /= len(corr)
        per[c] = s
    if not per:
        raise Undefined("no class has two images in the batch")
    vals = np.array(list(per.values()))
    if n_classes > 100:
        return float(vals.sum())
    return float(np.abs(vals[:, None] - vals[None, :]).sum() / len(vals))


PROXY = Proxy(
    name="epe_nas",
    needs=("data:jacobian",),
    score=_score,
    paper="Lopes et al., ICANN 2021",
    convention="batch 64, default init, train-mode BN; per-class log|corr(J)| spread",
    input_dependent=True,
)
