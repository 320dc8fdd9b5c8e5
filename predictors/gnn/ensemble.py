"""``RankEnsemble``: several predictors fitted on the same archs, their rankings averaged.

::

    >>> from predictors.gnn import GNNPredictor, RankEnsemble
    >>> from predictors import XGBPredictor
    >>> ens = RankEnsemble([GNNPredictor(space="nb201"), XGBPredictor(space="nb201")])
    >>> ens.fit(train_archs, y_train).predict(test_archs)     # mean rank in [0, 1], higher = better

Each member scores the archs to predict; the scores are turned into ranks within that set, scaled
to ``[0, 1]``, and averaged with ``weights`` (equal by default). A rank average needs no common
scale between members (a GNN trained with a ranking loss and a GBDT on the target), but its output
is a ranking of the set given, not the target: the ensemble is a ranker (MAE / RMSE are not
reported for it), and scores of two separate ``predict`` calls are not comparable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from predictors.base import Predictor, PredictorInputError, RankerMixin

__all__ = ["RankEnsemble"]

#: parameters handed down to members whose own value is None (space, store, dataset)
_SHARED = ("space", "bench", "dataset")


class RankEnsemble(RankerMixin, Predictor):
    """Rank average of ``members`` (see the module docstring).

    Args:
        members: unfitted predictors; each is cloned and fitted on the same archs.
        weights: one non-negative weight per member (None = equal).
        space, bench, dataset: given to members whose own parameter of that name is None.
        random_state: given to every member that has one (each fit of the protocol re-seeds all).
    """

    def __init__(self, members: Sequence[Any] = (), weights: Sequence[float] | None = None,
                 space: Any = None, bench: Any = None, dataset: str | None = None,
                 random_state: int | None = 0) -> None:
        self.members = members
        self.weights = weights
        self.space = space
        self.bench = bench
        self.dataset = dataset
        self.random_state = random_state

    def _weights(self) -> np.ndarray:
        n = len(self.members)
        if n == 0:
            raise PredictorInputError("RankEnsemble needs at least one member predictor")
        w = np.ones(n) if self.weights is None else np.asarray(self.weights, dtype=np.float64)
        if w.shape != (n,) or (w < 0).any() or w.sum() == 0:
            raise PredictorInputError(
                f"weights={self.weights!r}; give {n} non-negative numbers, not all zero"
            )
        return w / w.sum()

    def _fit(self, archs: list[Any], y: np.ndarray) -> None:
        from sklearn.base import clone

        self.weights_ = self._weights()
        fitted = []
        for member in self.members:
            if not isinstance(member, Predictor):
                raise PredictorInputError(
                    f"RankEnsemble members must be predictors.Predictor objects; got {type(member).__name__}"
                )
            m = clone(member)
            params = m.get_params(deep=False)
            updates = {k: getattr(self, k) for k in _SHARED
                       if k in params and params[k] is None and getattr(self, k) is not None}
            if "random_state" in params:
                updates["random_state"] = self.random_state
            fitted.append(m.set_params(**updates).fit(archs, y))
        self.members_ = fitted

    def _predict(self, archs: list[Any]) -> np.ndarray:
        from scipy.stats import rankdata

        n = len(archs)
        out = np.zeros(n)
        for w, m in zip(self.weights_, self.members_):
            out += w * (rankdata(m.predict(archs)) - 1) / max(n - 1, 1)
        return out
