"""Intervals the studies put next to their numbers.

Two different questions, two intervals:

* ``draw_interval``: the published number is ONE draw (e.g. a Spearman over 1,000 archs sampled
  once): where would one draw of ours fall? The 2.5-97.5 percentiles of our draws.
* ``mean_interval``: the published number is a MEAN over trials: the evaluation protocol's 95%
  interval of our mean (``predictors.evaluate.seed_interval``: it stays inside the score's range),
  and ``mean_slack`` for the published mean's own uncertainty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["bootstrap_corr_gap", "draw_interval", "mean_interval", "mean_slack", "corr", "sample_corr"]


def draw_interval(values: Sequence[float]) -> tuple[float, float]:
    """2.5th and 97.5th percentiles of single-draw values (NaN, NaN with fewer than 2).

    Shapes:
        values: (draws,)
    """
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size < 2:
        return float("nan"), float("nan")
    low, high = np.percentile(v, [2.5, 97.5])
    return float(low), float(high)


def mean_interval(values: Sequence[float], score: str = "spearman") -> tuple[float, float]:
    """95% interval of the mean over seeds, inside the score's range: the protocol's own
    ``predictors.evaluate.seed_interval`` (Fisher z for correlations, bootstrap otherwise).

    Shapes:
        values: (runs,)
    """
    from predictors.evaluate import seed_interval

    return seed_interval(np.asarray(values, dtype=np.float64), score)


def mean_slack(std: float, n_published: int) -> float:
    """95% half-width of a published mean over ``n_published`` trials, assuming its spread
    equals ours (``std``): the part of a gap the published side's own noise can explain."""
    if not np.isfinite(std) or n_published < 2:
        return 0.0
    return float(1.96 * std / np.sqrt(n_published))


def corr(kind: str) -> Callable[[np.ndarray, np.ndarray], float]:
    """``"spearman"`` / ``"kendall"`` / ``"pearson"`` -> f(x, y) (predictors.metrics, NaN-safe)."""
    from predictors import metrics

    fns = {"spearman": metrics.spearman, "kendall": metrics.kendall, "pearson": metrics.pearson}
    if kind not in fns:
        raise ValueError(f"correlation must be one of {sorted(fns)}; got {kind!r}")
    return fns[kind]


def sample_corr(
    x: np.ndarray, y: np.ndarray, size: int, draws: int, *, kind: str = "spearman", seed0: int = 0
) -> np.ndarray:
    """Correlation of ``x`` and ``y`` on ``draws`` random subsets of ``size`` positions (seeds
    ``seed0 .. seed0 + draws - 1``; ``numpy.random.default_rng(seed).choice`` without
    replacement). The whole vectors once if ``size >= len(x)``.

    Shapes:
        x, y: (n,) -> (draws,)
    """
    fn = corr(kind)
    n = len(x)
    if size >= n:
        return np.array([fn(x, y)])
    out = np.empty(draws)
    for i in range(draws):
        idx = np.random.default_rng(seed0 + i).choice(n, size=size, replace=False)
        out[i] = fn(x[idx], y[idx])
    return out


def bootstrap_corr(x: np.ndarray, y: np.ndarray, draws: int, seed: int = 0,
                   groups: np.ndarray | None = None) -> tuple[float, float]:
    """95% percentile interval of Spearman over ``draws`` resamples (with replacement) of the rows.

    With ``groups``, a resample draws groups (with replacement) and takes every row of each: rows
    that share a value by construction (an isomorphism class given its representative's score)
    are one draw, not many independent ones. Distinct groups give the rows' own resamples.

    Shapes:
        x, y: (n,); groups: (n,) labels
    """
    from predictors.metrics import spearman

    rng = np.random.default_rng(seed)
    if groups is None:
        picks = (rng.integers(0, len(x), len(x)) for _ in range(draws))
    else:
        _, label, size = np.unique(groups, return_inverse=True, return_counts=True)
        members = np.split(np.argsort(label, kind="stable"), np.cumsum(size)[:-1])
        picks = (np.concatenate([members[k] for k in rng.integers(0, len(members), len(members))])
                 for _ in range(draws))
    return draw_interval([spearman(x[i], y[i]) for i in picks])


def bootstrap_corr_gap(a: np.ndarray, b: np.ndarray, y: np.ndarray, draws: int, seed: int = 0,
                       absolute: bool = False, kind: str = "spearman") -> tuple[float, float, float]:
    """``(gap, low, high)``: corr(a, y) - corr(b, y) (``kind``: spearman or kendall; of the
    absolute values with ``absolute``) and its 95% percentile interval over ``draws`` resamples
    of the rows, drawn jointly for both, so the interval is of the paired difference.

    Shapes:
        a, b, y: (n,) finite
    """
    fn = corr(kind)
    f = abs if absolute else float

    def gap(i: np.ndarray) -> float:
        return f(fn(a[i], y[i])) - f(fn(b[i], y[i]))

    rng = np.random.default_rng(seed)
    low, high = draw_interval([gap(rng.integers(0, len(a), len(a))) for _ in range(draws)])
    return gap(np.arange(len(a))), low, high


def spearman_summary(x: np.ndarray, y: np.ndarray, size: int, draws: int
                     ) -> tuple[float, float, float, int]:
    """``(rho, low, high, values)``: with more than ``size`` pairs, the mean Spearman over
    ``draws`` random subsets of ``size`` (:func:`sample_corr`) and the 2.5-97.5 percentiles of the
    draws (``values`` = draws); otherwise Spearman over all pairs with a :func:`bootstrap_corr`
    interval (``values`` = 1; a NaN interval where rho is undefined).

    Shapes:
        x, y: (n,) finite
    """
    if len(x) > size:
        vals = sample_corr(x, y, size, draws)
        low, high = draw_interval(vals)
        return float(np.nanmean(vals)), low, high, len(vals)
    from predictors.metrics import spearman

    rho = spearman(x, y)
    low, high = bootstrap_corr(x, y, draws) if np.isfinite(rho) else (np.nan, np.nan)
    return rho, low, high, 1
