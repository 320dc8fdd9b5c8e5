"""Rank and error metrics between true targets and predictions.

* ``spearman``, ``kendall`` (tau-b), ``pearson``: scipy's coefficients; NaN when either vector is
  constant (a predictor that outputs one value has no ranking), never a warning.
* ``precision_at_k``: of the ``k`` archs the predictor ranks best, the fraction that are among the
  true best ``k`` (top-k overlap; "best" follows ``direction``: ``"max"`` or ``"min"``). Ties at the
  k-th place are broken by position, so the value is deterministic.
* ``normal_scores``: the normal scores of a vector's ranks, ``Phi^-1((rank - 0.5) / n)``: the
  rank target the GBDTs and GNNs fit (ties share their mean rank).
* ``mae``, ``rmse``: on the target's scale; meaningless for rankers (proxies, params, random),
  for which ``score`` reports NaN when ``on_target_scale=False``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

__all__ = [
    "spearman", "kendall", "pearson", "precision_at_k", "mae", "rmse", "score", "score_names",
    "normal_scores",
]


def normal_scores(values: Sequence[float]) -> np.ndarray:
    """``Phi^-1((rank - 0.5) / n)`` of ``values`` (float64, ties at their mean rank).

    Shapes: values ``(n,)``; returns ``(n,)``.
    """
    from scipy.stats import norm, rankdata

    v = np.asarray(values, dtype=np.float64)
    return norm.ppf((rankdata(v) - 0.5) / len(v))


def _pair(y_true: Sequence[float], y_pred: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true, dtype=np.float64).ravel()
    p = np.asarray(y_pred, dtype=np.float64).ravel()
    if t.shape != p.shape:
        raise ValueError(f"y_true has {t.size} values and y_pred {p.size}; they must match")
    return t, p


def _corr(fn, y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    t, p = _pair(y_true, y_pred)
    if t.size < 2 or np.ptp(t) == 0 or np.ptp(p) == 0 or not (np.isfinite(t).all() and np.isfinite(p).all()):
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(fn(t, p).statistic)


def spearman(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    """Spearman rank correlation (NaN if either side is constant or not finite)."""
    from scipy.stats import spearmanr

    return _corr(spearmanr, y_true, y_pred)


def kendall(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    """Kendall tau-b (NaN if either side is constant or not finite)."""
    from scipy.stats import kendalltau

    return _corr(kendalltau, y_true, y_pred)


def pearson(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    """Pearson correlation (NaN if either side is constant or not finite)."""
    from scipy.stats import pearsonr

    return _corr(pearsonr, y_true, y_pred)


def _top(values: np.ndarray, k: int, direction: str) -> np.ndarray:
    order = np.argsort(-values if direction == "max" else values, kind="stable")
    return order[:k]


def precision_at_k(
    y_true: Sequence[float], y_pred: Sequence[float], k: int, direction: str = "max"
) -> float:
    """Fraction of the predicted top-``k`` that is in the true top-``k`` (``k`` capped at n)."""
    t, p = _pair(y_true, y_pred)
    if direction not in ("max", "min"):
        raise ValueError(f"direction must be 'max' or 'min'; got {direction!r}")
    if k < 1:
        raise ValueError(f"k must be at least 1; got {k}")
    k = min(k, t.size)
    if k == 0:
        return float("nan")
    hits = np.intersect1d(_top(t, k, direction), _top(p, k, direction)).size
    return hits / k


def mae(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    """Mean absolute error."""
    t, p = _pair(y_true, y_pred)
    return float(np.mean(np.abs(t - p)))


def rmse(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    """Root mean squared error."""
    t, p = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((t - p) ** 2)))


def score_names(top_k: Sequence[int] = (10, 50)) -> list[str]:
    """The keys of ``score``'s dict, in its order."""
    return ["spearman", "kendall", "pearson", *(f"precision@{k}" for k in top_k), "mae", "rmse"]


def score(
    y_true: Sequence[float],
    y_pred: Sequence[float],
    *,
    top_k: Sequence[int] = (10, 50),
    direction: str = "max",
    on_target_scale: bool = True,
) -> dict[str, float]:
    """Every metric as a dict: spearman, kendall, pearson, precision@k for each k, mae, rmse.

    ``direction`` says which end of the target is best (for precision@k); predictions are
    assumed oriented like the target. With ``on_target_scale=False`` MAE and RMSE are NaN.
    """
    out = {
        "spearman": spearman(y_true, y_pred),
        "kendall": kendall(y_true, y_pred),
        "pearson": pearson(y_true, y_pred),
    }
    for k in top_k:
        out[f"precision@{k}"] = precision_at_k(y_true, y_pred, k, direction)
    nan = float("nan")
    out["mae"] = mae(y_true, y_pred) if on_target_scale else nan
    out["rmse"] = rmse(y_true, y_pred) if on_target_scale else nan
    return out
