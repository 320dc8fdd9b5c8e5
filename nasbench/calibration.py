"""Calibration metrics and temperature scaling, with the conventions of the calibration bank.

numpy only; imported on demand (``import nasbench`` does not load it)::

    >>> from nasbench import calibration as cal
    >>> cal.ece(probs, labels)                              # 15 equal-width bins, a fraction
    >>> cal.ece(probs, labels, n_bins=[5, 15, 100, 500])    # many bin counts at once -> vector
    >>> cal.ece(probs, labels, n_bins=15, binning="mass")   # equal-mass bins
    >>> t = cal.fit_temperature(valid_logits, valid_labels) # grid search, lowest 15-bin ECE
    >>> cal.metrics(cal.softmax(test_logits / t), test_labels)   # every bank column at once

Every function takes ``probs`` of shape ``(n, classes)`` (rows are probability vectors, e.g. a
softmax) and integer ``labels`` of shape ``(n,)``, and returns a fraction (0..1) unless said
otherwise. Arguments are checked: a wrong shape, a label outside ``0..classes-1``, a non-finite or
negative probability, a row that does not sum to 1 (within ``1e-3``), a bin count that is not a
positive int raises a one-line ``ValueError`` saying what was expected.

Conventions (those of Tao et al., "A Benchmark Study on Calibration", ICLR 2024; see
``shared/data/calibration/SCHEMA.md`` §3-4; each function's docstring states its own):

* *confidence* ``c_i = max_k p_ik``, *prediction* ``argmax_k p_ik`` (first maximum on ties),
  *correct* ``a_i = 1[prediction == label]``.
* **Equal-width bins** are ``np.linspace(0, 1, b + 1)`` (float64) and **closed on the right**:
  bin ``j`` holds ``edges[j] < c <= edges[j+1]``. A confidence of exactly 1.0 is in the last bin;
  a value of exactly 0 is in no bin but still counts in ``n``. Empty bins contribute nothing.
  (torchmetrics and netcal bin ``[lo, hi)`` instead: see the cross-check table in
  ``tests/test_calibration_metrics.py``.)
* **Equal-mass bins** are those of uncertainty-calibration 0.1.4 (Kumar et al.) ``get_equal_bins``:
  split the sorted confidences into ``b`` nearly equal chunks (``np.array_split``), place an edge
  halfway between neighbouring chunks (the sum is taken in the input's float type, as there),
  add 1.0, and drop duplicate edges, so **ties can leave fewer than ``b`` bins**. Bins are
  ``(e_{j-1}, e_j]`` with the first one ``[0, e_0]``. ``b`` larger than ``n`` is clipped to ``n``.
* All sums are taken in float64 from the given probabilities (a float32 input is widened exactly),
  so results agree with the reference codes that average float32 inputs in float32 to about 1e-6
  (absolute), and with float64 inputs to about 1e-9 (relative).

Vectorised: binned metrics take one bin count or a sequence of them; all bin counts are computed
from one sort of the confidences (100 bin counts x 10,000 samples x 100 classes in a few tens of
milliseconds for :func:`ece`; ``benchmarks/calibration_speed.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "BANK_BINS",
    "accuracy",
    "brier",
    "classwise_ece",
    "ece",
    "entropy",
    "fit_temperature",
    "kde_ece",
    "ks_error",
    "mce",
    "metrics",
    "mmce",
    "nll",
    "ood_aupr",
    "ood_auroc",
    "reliability_diagram",
    "softmax",
    "temperature_grid",
    "temperature_split",
]

#: The bin counts of every bin-based column of the calibration bank.
BANK_BINS = (5, 10, 15, 20, 25, 50, 100, 200, 500)
_BINNINGS = ("width", "mass")
#: how far a row of ``probs`` may sum from 1
ROW_SUM_TOL = 1e-3


# ---------------------------------------------------------------------------------------------
# input checks and shared pieces
# ---------------------------------------------------------------------------------------------


def _check(probs: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(probs)
    y = np.asarray(labels)
    if p.ndim != 2 or p.shape[0] == 0 or p.shape[1] < 2:
        raise ValueError(f"probs must have shape (n, classes) with n >= 1, classes >= 2; got {p.shape}")
    if not np.issubdtype(p.dtype, np.floating):
        p = p.astype(np.float64)
    if y.ndim != 1 or y.shape[0] != p.shape[0]:
        raise ValueError(f"labels must have shape ({p.shape[0]},) to match probs; got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        if np.issubdtype(y.dtype, np.floating) and np.all(np.mod(y, 1) == 0):
            y = y.astype(np.int64)
        else:
            raise ValueError(f"labels must be integers 0..{p.shape[1] - 1}; got dtype {y.dtype}")
    if y.min() < 0 or y.max() >= p.shape[1]:
        raise ValueError(
            f"labels must lie in 0..{p.shape[1] - 1} (probs has {p.shape[1]} classes); "
            f"got {y.min()}..{y.max()}"
        )
    if not np.all(np.isfinite(p)) or p.min() < 0:
        raise ValueError("probs must be finite and non-negative (pass softmax outputs, not logits)")
    # every metric reads a row as a distribution; 1e-3 leaves room for float16 rounding
    sums = p.sum(axis=1, dtype=np.float64)
    i = int(np.abs(sums - 1.0).argmax())
    if abs(sums[i] - 1.0) > ROW_SUM_TOL:
        raise ValueError(f"probs rows must sum to 1 (softmax outputs); row {i} sums to {sums[i]:.6g}")
    return p, y


def _top(p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Confidences (input dtype) and correctness (float64 0/1)."""
    pred = np.argmax(p, axis=1)
    conf = p[np.arange(len(p)), pred]
    return conf, (pred == y).astype(np.float64)


def _bin_list(n_bins: int | Iterable[int]) -> tuple[list[int], bool]:
    value: Any = n_bins  # an int, a numpy integer or a sequence of them: np.ndim tells which
    scalar = np.ndim(value) == 0
    raw = [value] if scalar else list(value)
    if not all(isinstance(b, int | np.integer) and not isinstance(b, bool) for b in raw):
        raise ValueError(f"n_bins must be a positive int or a non-empty sequence of them; got {n_bins!r}")
    bins = [int(b) for b in raw]
    if not bins or min(bins) < 1:
        raise ValueError(f"n_bins must be a positive int or a non-empty sequence of them; got {n_bins!r}")
    return bins, scalar


def _check_binning(binning: str) -> None:
    if binning not in _BINNINGS:
        raise ValueError(f"binning must be one of {_BINNINGS}; got {binning!r}")


def _mass_edges(sorted_c: np.ndarray, b: int) -> np.ndarray:
    """Edges ``[-inf, e_0, ..., 1.0]`` of uncertainty-calibration's equal-mass bins."""
    n = len(sorted_c)
    b = min(b, n)
    sizes = np.full(b, n // b)
    sizes[: n % b] += 1  # np.array_split: the first n % b chunks are one longer
    ends = np.cumsum(sizes)[:-1]
    mids = (sorted_c[ends - 1] + sorted_c[ends]) / sorted_c.dtype.type(2)
    upper = np.unique(np.concatenate([mids.astype(np.float64), [1.0]]))
    return np.concatenate([[-np.inf], upper])


def _edges(sorted_c: np.ndarray, b: int, binning: str) -> np.ndarray:
    if binning == "width":
        return np.linspace(0.0, 1.0, b + 1)
    return _mass_edges(sorted_c, b)


def _binned(
    values: np.ndarray, targets: np.ndarray, bins: Sequence[int], binning: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-bin counts and sums of ``values`` and ``targets`` for several binnings at once.

    Bins are right-closed, ``(edges[j], edges[j+1]]``. Works on one sort: the number of values
    ``<= e`` is ``searchsorted(sorted, e, 'right')``, and a bin's sums are differences of prefix
    sums at its two edges.

    Returns:
        ``(counts, sum_values, sum_targets, group)``: flat arrays over all bins of all binnings,
        and ``group`` (the start offset of each binning's bins, for ``np.*.reduceat``).
    """
    order = np.argsort(values, kind="stable")
    sv = values[order]
    cum_v = np.concatenate([[0.0], np.cumsum(sv, dtype=np.float64)])
    cum_t = np.concatenate([[0.0], np.cumsum(targets[order], dtype=np.float64)])
    all_edges = [_edges(sv, b, binning) for b in bins]
    lengths = np.array([len(e) for e in all_edges])
    pos = np.searchsorted(sv.astype(np.float64), np.concatenate(all_edges), side="right")
    lo, hi = pos[:-1], pos[1:]
    # drop the pseudo-bins that straddle two binnings
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    keep = np.ones(len(lo), dtype=bool)
    keep[(starts + lengths - 1)[:-1]] = False
    lo, hi = lo[keep], hi[keep]
    group = np.concatenate([[0], np.cumsum(lengths - 1)[:-1]])
    return hi - lo, cum_v[hi] - cum_v[lo], cum_t[hi] - cum_t[lo], group


def _out(values: np.ndarray, scalar: bool) -> float | np.ndarray:
    return float(values[0]) if scalar else values


def softmax(logits: Any, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax in the input's float type (float32 stays float32, as in torch).

    Shapes:
        logits: ``(n, classes)``. Returns the same shape.
    """
    z = np.asarray(logits)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def accuracy(probs: Any, labels: Any) -> float:
    """Top-1 accuracy as a fraction (argmax, first maximum on ties).

    Shapes:
        probs: ``(n, classes)``. labels: ``(n,)``.
    """
    p, y = _check(probs, labels)
    return float(np.mean(np.argmax(p, axis=1) == y))


# ---------------------------------------------------------------------------------------------
# bin-based metrics
# ---------------------------------------------------------------------------------------------


def ece(
    probs: Any, labels: Any, n_bins: int | Iterable[int] = 15, binning: str = "width"
) -> float | np.ndarray:
    """Expected calibration error (top-label, L1): ``sum_bins (n_b / n) |mean c - mean a|``.

    The bank's ``ECE_b`` (``binning="width"``, its ``get_ece``) and ``ECE_em_b``
    (``binning="mass"``, uncertainty-calibration's ``get_ece_em``). Bin conventions: module
    docstring. Differences from other packages, all on values exactly on an edge:
    torchmetrics ``multiclass_calibration_error`` bins ``[lo, hi)`` and puts ``c == 1.0`` in an
    extra bin of its own; netcal ``ECE`` bins ``[lo, hi)`` with the last bin closed and clips
    ``c`` to ``[eps, 1 - eps]``; uncertainty-calibration ``get_ece`` agrees exactly except that it
    puts ``c == 0`` in the first bin (the bank leaves it out of every bin).

    Args:
        probs: probability vectors.
        labels: true classes.
        n_bins: a bin count, or a sequence of them (one result each).
        binning: ``"width"`` (equal-width) or ``"mass"`` (equal-mass).

    Returns:
        A float for an int ``n_bins``, else a float64 vector, one value per bin count.

    Shapes:
        probs: ``(n, classes)``. labels: ``(n,)``. Returns ``()`` or ``(len(n_bins),)``.
    """
    _check_binning(binning)
    p, y = _check(probs, labels)
    bins, scalar = _bin_list(n_bins)
    conf, correct = _top(p, y)
    _, sv, st, group = _binned(conf, correct, bins, binning)
    return _out(np.add.reduceat(np.abs(sv - st), group) / len(y), scalar)


def mce(
    probs: Any, labels: Any, n_bins: int | Iterable[int] = 15, binning: str = "width"
) -> float | np.ndarray:
    """Maximum calibration error: the largest ``|mean c - mean a|`` over non-empty bins.

    The bank's ``MCE_b`` (absolute gap, equal-width right-closed bins, empty bins skipped).
    torchmetrics ``norm="max"`` and netcal ``MCE`` use ``[lo, hi)`` bins (see :func:`ece`).

    Shapes:
        probs: ``(n, classes)``. labels: ``(n,)``. Returns ``()`` or ``(len(n_bins),)``.
    """
    _check_binning(binning)
    p, y = _check(probs, labels)
    bins, scalar = _bin_list(n_bins)
    conf, correct = _top(p, y)
    counts, sv, st, group = _binned(conf, correct, bins, binning)
    gap = np.abs(sv - st) / np.maximum(counts, 1)  # empty bins: gap 0
    return _out(np.maximum.reduceat(gap, group), scalar)


def classwise_ece(
    probs: Any, labels: Any, n_bins: int | Iterable[int] = 15, binning: str = "width"
) -> float | np.ndarray:
    """Class-wise ECE: the mean over all classes ``k`` of the calibration error of ``p_k``.

    * ``binning="width"``: the bank's ``cwCE_b`` (its ``get_classwise_ece``): for each class,
      ``sum_bins (n_b / n) |mean p_k - mean 1[y = k]|`` over equal-width right-closed bins of
      ``p_k``; probabilities of exactly 0 fall in no bin (common with float32 softmax outputs) but
      count in ``n``. uncertainty-calibration ``get_calibration_error(mode="marginal", p=1)`` with
      equal-width bins puts them in the first bin instead; torch-uncertainty / torchmetrics
      ``binary_calibration_error`` per class bins ``[lo, hi)``.
    * ``binning="mass"``: the bank's ``cwCE_em_b`` of the NB201 (TSS) files, i.e. the adaptive
      calibration error (ACE) of Nixon et al. 2019 as coded there (``get_ace``): per class, drop
      probabilities that are exactly 0, sort the rest and cut them into ``b`` chunks of
      ``m // b`` (the last chunk takes the remainder); sum ``|mean p_k - mean 1[y = k]| * size``
      and divide by ``n * classes``. A class with fewer than ``b`` non-zero probabilities has
      empty chunks, and the result is NaN, as in the bank. Tied probabilities are ordered stably
      (by sample index); the bank's ``argsort`` order for ties is unspecified. The bank's NATS-sss
      files use a different ``cwCE_em`` (marginal equal-mass); not implemented here.

    Shapes:
        probs: ``(n, classes)``. labels: ``(n,)``. Returns ``()`` or ``(len(n_bins),)``.
    """
    _check_binning(binning)
    p, y = _check(probs, labels)
    bins, scalar = _bin_list(n_bins)
    n, k = p.shape
    # every class at once, one row per class: a sort along the rows, then prefix sums of
    # p - 1[y = k], whose differences between two positions give a bin's |sum p - sum y|
    pt = np.ascontiguousarray(p.T)
    # ties sit in one equal-width bin whatever their order; ACE's chunks depend on it (stable)
    order = np.argsort(pt, axis=1, kind="stable" if binning == "mass" else "quicksort")
    sp = np.take_along_axis(pt, order, axis=1)
    cum = np.zeros((k, n + 1))
    np.cumsum(sp.astype(np.float64) - (y[order] == np.arange(k)[:, None]), axis=1,
              out=cum[:, 1:])
    if binning == "width":
        total = _classwise_width(sp, cum, bins)
    else:
        total = _classwise_ace(sp, cum, bins)
    return _out(total / (n * k), scalar)


def _classwise_width(sp: np.ndarray, cum: np.ndarray, bins: Sequence[int]) -> np.ndarray:
    """``sum_classes sum_bins |sum p - sum y|`` over equal-width right-closed bins, per bin count.

    ``sp``: each class's probabilities sorted, ``(classes, n)``; ``cum``: prefix sums of
    ``p - 1[y = k]`` in that order, ``(classes, n + 1)``. The edges of all bin counts are searched
    in one call per class; the pseudo-bins between the last edge of one bin count and the first of
    the next are dropped, as in ``_binned``.
    """
    edges = [np.linspace(0.0, 1.0, b + 1) for b in bins]
    lengths = np.array([len(e) for e in edges])
    flat = np.concatenate(edges)
    pos = np.stack([np.searchsorted(row.astype(np.float64), flat, side="right") for row in sp])
    gap = np.abs(np.diff(np.take_along_axis(cum, pos, axis=1), axis=1)).sum(axis=0)
    keep = np.ones(len(gap), dtype=bool)
    keep[(np.cumsum(lengths) - 1)[:-1]] = False
    group = np.concatenate([[0], np.cumsum(lengths - 1)[:-1]])
    return np.add.reduceat(gap[keep], group)


def _classwise_ace(sp: np.ndarray, cum: np.ndarray, bins: Sequence[int]) -> np.ndarray:
    """``sum_classes sum_chunks |sum p - sum y|`` of Nixon's ACE as the bank codes it, per bin count.

    Per class the ``m`` non-zero probabilities are the last ``m`` of its sorted row; they are cut
    into ``b`` chunks of ``m // b`` (the last takes the remainder). A class with ``m < b`` has
    empty chunks, which makes the bin count's result NaN (``np.mean([])`` in the bank's code).
    """
    k, n = sp.shape
    m = np.count_nonzero(sp > 0, axis=1)                                # (classes,)
    first = n - m
    out = np.empty(len(bins))
    for i, b in enumerate(bins):
        size = m // b
        if np.any(size == 0):
            out[i] = np.nan
            continue
        bounds = np.arange(b + 1)[None, :] * size[:, None]
        bounds[:, -1] = m
        at = np.take_along_axis(cum, first[:, None] + bounds, axis=1)   # (classes, b + 1)
        out[i] = np.abs(np.diff(at, axis=1)).sum()
    return out


# ---------------------------------------------------------------------------------------------
# bin-free metrics
# ---------------------------------------------------------------------------------------------


def ks_error(probs: Any, labels: Any) -> float:
    """Kolmogorov-Smirnov calibration error (Gupta et al., ICLR 2021), the bank's ``KSCE``.

    Sort the samples by confidence and return ``max_i |sum_{j<=i} c_j - sum_{j<=i} a_j| / n``.
    Ties in confidence are taken in sample order (a stable sort); the reference code uses
    ``argsort``'s default order, so with tied confidences the two can differ slightly. No
    maintained package implements it (the reference is ``spline-calibration/cal_metrics/KS.py``).

    Shapes:
        probs: ``(n, classes)``. labels: ``(n,)``.
    """
    p, y = _check(probs, labels)
    conf, correct = _top(p, y)
    order = np.argsort(conf, kind="stable")
    diff = np.cumsum(conf[order], dtype=np.float64) - np.cumsum(correct[order])
    return float(np.max(np.abs(diff)) / len(y))


def mmce(probs: Any, labels: Any, width: float = 0.4) -> float:
    """Maximum mean calibration error (Kumar et al. 2018), the bank's ``MMCE`` (netcal's).

    ``sqrt(sum_ij (a_i - c_i)(a_j - c_j) exp(-|c_i - c_j| / width)) / n`` with the Laplacian
    kernel of netcal 1.4.0 (``width=0.4``, i.e. ``exp(-2.5 |d|)``), the ``i = j`` terms
    included. netcal forms the ``n x n`` matrix (800 MB at n = 10,000); here the kernel sum is
    taken in O(n log n) from one sort: ``exp(-l|c_i - c_j|)`` factorises on each side of ``c_i``.

    Shapes:
        probs: ``(n, classes)``. labels: ``(n,)``.
    """
    p, y = _check(probs, labels)
    conf, correct = _top(p, y)
    lam = 1.0 / width
    order = np.argsort(conf, kind="stable")
    c = conf[order].astype(np.float64)
    w = correct[order] - c
    # c is in [0, 1], so exp(+-lam c) stays within exp(+-lam): no overflow for any sane width.
    up, down = np.exp(lam * c), np.exp(-lam * c)
    left = down * np.cumsum(w * up)  # sum over j <= i
    right = up * (np.cumsum((w * down)[::-1])[::-1] - w * down)  # sum over j > i
    total = float(np.sum(w * (left + right)))
    return float(np.sqrt(max(total, 0.0)) / len(y))


def nll(probs: Any, labels: Any) -> float:
    """Negative log-likelihood in nats, the bank's ``NLL`` (scikit-learn ``log_loss``).

    ``-mean log p_{i, y_i}`` with ``p`` clipped to ``[eps, 1 - eps]``, ``eps`` the machine epsilon
    of the input's float type, as scikit-learn does.

    Shapes:
        probs: ``(n, classes)``. labels: ``(n,)``.
    """
    p, y = _check(probs, labels)
    eps = np.finfo(p.dtype).eps
    py = np.clip(p[np.arange(len(y)), y], eps, 1 - eps).astype(np.float64)
    return float(-np.mean(np.log(py)))


def brier(probs: Any, labels: Any, reduction: str = "bank") -> float:
    """Brier score.

    * ``reduction="bank"`` (default): the bank's ``Brier``, scikit-learn
      ``mean_squared_error(one_hot, probs)`` = ``sum_ik (p_ik - y_ik)^2 / (n * classes)``, i.e.
      the usual multiclass Brier score **divided by the number of classes**.
    * ``reduction="standard"``: ``sum_ik (p_ik - y_ik)^2 / n`` (Brier 1950; 0..2), as in
      torchmetrics / most papers.

    Shapes:
        probs: ``(n, classes)``. labels: ``(n,)``.
    """
    if reduction not in ("bank", "standard"):
        raise ValueError(f"reduction must be 'bank' or 'standard'; got {reduction!r}")
    p, y = _check(probs, labels)
    sq = np.square(p.astype(np.float64))
    py = p[np.arange(len(y)), y].astype(np.float64)
    per_sample = sq.sum(axis=1) - 2 * py + 1  # sum_k (p_k - onehot_k)^2
    total = float(np.mean(per_sample))
    return total / p.shape[1] if reduction == "bank" else total


def kde_ece(probs: Any, labels: Any, order: int = 1, grid_size: int = 2**14) -> float:
    """KDE-based top-label ECE (Zhang et al., ICML 2020), the bank's ``KDECE``.

    Follows ``ece_kde_binary`` of Mix-n-Match as the bank calls it: confidences ``c`` (the top
    probability divided by its row sum); bandwidth ``std(c of correct samples) * (2n)^-0.2``;
    triweight kernel densities of the correct samples' and of all confidences, each reflected at
    0 and 1, evaluated on ``linspace(-0.6, 1.6, 2^14)`` and set to 0 outside (0, 1);
    ``acc(c) = min(mean(a) f_correct(c) / f_all(c), 1)``; result
    ``int |c - acc(c)|^order f_all(c) dc / int f_all(c) dc`` over [0, 1] by the trapezoid rule
    (where both densities are below 1e-6 the integrand repeats its previous grid value, as there).
    The densities are KDEpy ``FFTKDE``'s (linear binning onto the grid, then convolution with the
    kernel sampled on the grid), re-done in numpy. The bank computes the bandwidth from float32
    values; this uses float64 (relative differences ~1e-6). NaN if fewer than 2 samples are
    correct (the reference code raises and the bank then stores 0).

    Shapes:
        probs: ``(n, classes)``. labels: ``(n,)``.
    """
    p, y = _check(probs, labels)
    n = len(y)
    pred = np.argmax(p, axis=1)
    conf = (p[np.arange(n), pred] / p.sum(axis=1)).astype(np.float64)
    correct = pred == y
    if correct.sum() < 2:
        return float("nan")
    bw = float(np.std(conf[correct]) * (2 * n) ** -0.2)
    if not bw > 0:
        return float("nan")
    x = np.linspace(-0.6, 1.6, grid_size)
    f1 = _kde_reflected(conf[correct], x, bw)
    f2 = _kde_reflected(conf, x, bw)
    perc = float(np.mean(correct))
    active = np.maximum(f1, f2) > 1e-6
    with np.errstate(divide="ignore", invalid="ignore"):
        accu = np.minimum(perc * f1 / f2, 1.0)
    integral = np.where(active, np.abs(x - accu) ** order * f2, 0.0)
    # where inactive, the reference repeats the previous grid value (from index 2 on)
    idx = np.where(active | (np.arange(grid_size) < 2), np.arange(grid_size), 0)
    integral = integral[np.maximum.accumulate(idx)]
    inside = (x >= 0.0) & (x <= 1.0)
    return float(_trapezoid(integral[inside], x[inside]) / _trapezoid(f2[inside], x[inside]))


def _trapezoid(yv: np.ndarray, xv: np.ndarray) -> float:
    return float(np.sum((yv[1:] + yv[:-1]) * np.diff(xv)) / 2.0)


def _kde_reflected(data: np.ndarray, grid: np.ndarray, bw: float) -> np.ndarray:
    """Triweight KDE of ``data`` reflected at 0 and 1, times 2, zero outside (0, 1)."""
    mirrored = np.concatenate([-data[data < 0.5], data, 2.0 - data[data >= 0.5]])
    m = len(grid)
    dx = (grid[-1] - grid[0]) / (m - 1)
    # linear binning (KDEpy linbin): each point splits its weight between its two grid neighbours
    t = (mirrored - grid[0]) / dx
    frac, whole = np.modf(t)
    whole = whole.astype(np.int64)
    w = 1.0 / len(mirrored)
    binned = np.bincount(whole, weights=(1.0 - frac) * w, minlength=m + 1)
    binned += np.bincount(whole + 1, weights=frac * w, minlength=m + 2)[: len(binned)]
    binned = binned[:m]
    # triweight kernel with standard deviation bw (support 3 bw), sampled on the grid spacing
    real_bw = 3.0 * bw
    half = int(min(np.floor(real_bw / dx), m))
    u = np.linspace(-dx * half, dx * half, 2 * half + 1) / real_bw
    kern = np.where(u**2 < 1, np.maximum(0.0, 1.0 - u**2) ** 3, 0.0) * (105.0 / 48.0) / (2.0 * real_bw)
    dens = np.convolve(binned, kern, mode="same") if len(kern) <= m else _same(binned, kern)
    dens[grid <= 0.0] = 0.0
    dens[grid >= 1.0] = 0.0
    return dens * 2.0


def _same(a: np.ndarray, k: np.ndarray) -> np.ndarray:
    full = np.convolve(a, k, mode="full")
    start = (len(k) - 1) // 2
    return full[start : start + len(a)]


# ---------------------------------------------------------------------------------------------
# out-of-distribution detection
# ---------------------------------------------------------------------------------------------


def entropy(probs: Any) -> np.ndarray:
    """Predictive entropy ``-sum_k p_k log p_k`` in nats (0 log 0 = 0).

    Shapes:
        probs: ``(n, classes)``. Returns ``(n,)``.
    """
    p = np.asarray(probs, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p), 0.0)
    return -terms.sum(axis=1)


def _ood_scores(probs_in: Any, probs_out: Any, score: str) -> tuple[np.ndarray, np.ndarray]:
    if score == "entropy":
        return entropy(probs_in), entropy(probs_out)
    if score == "msp":  # higher = more OOD, so negate the max softmax probability
        return -np.max(np.asarray(probs_in), axis=1), -np.max(np.asarray(probs_out), axis=1)
    raise ValueError(f"score must be 'entropy' or 'msp'; got {score!r}")


def ood_auroc(probs_in: Any, probs_out: Any, score: str = "entropy") -> float:
    """AUROC of separating out-of-distribution (positive) from in-distribution samples.

    The bank's ``auc_*`` columns: the score is the predictive entropy (``score="entropy"``; or
    ``"msp"``, minus the max probability), OOD is the positive class. Equals scikit-learn
    ``roc_auc_score`` (ties count one half: the Mann-Whitney statistic with mid-ranks).

    Shapes:
        probs_in: ``(n_in, classes)``. probs_out: ``(n_out, classes)``.
    """
    s_in, s_out = _ood_scores(probs_in, probs_out, score)
    scores = np.concatenate([s_in, s_out])
    ranks = _midranks(scores)
    n_in, n_out = len(s_in), len(s_out)
    u = ranks[n_in:].sum() - n_out * (n_out + 1) / 2.0
    return float(u / (n_in * n_out))


def _midranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="stable")
    sx = x[order]
    first = np.concatenate([[True], sx[1:] != sx[:-1]])
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    ends = np.concatenate([starts[1:], [len(x)]])
    mid = (starts + ends + 1) / 2.0  # average of 1-based ranks start+1..end
    ranks = np.empty(len(x))
    ranks[order] = mid[group]
    return ranks


def ood_aupr(probs_in: Any, probs_out: Any, score: str = "entropy") -> float:
    """Area under the precision-recall curve with OOD as the positive class.

    Average precision as scikit-learn ``average_precision_score`` defines it:
    ``sum_t (R_t - R_{t-1}) P_t`` over the distinct score thresholds, highest first.

    Shapes:
        probs_in: ``(n_in, classes)``. probs_out: ``(n_out, classes)``.
    """
    s_in, s_out = _ood_scores(probs_in, probs_out, score)
    scores = np.concatenate([s_in, s_out])
    positive = np.concatenate([np.zeros(len(s_in)), np.ones(len(s_out))])
    order = np.argsort(-scores, kind="stable")
    ss, pos = scores[order], positive[order]
    last = np.concatenate([ss[1:] != ss[:-1], [True]])  # last index of each distinct threshold
    tp = np.cumsum(pos)[last]
    predicted = (np.arange(1, len(ss) + 1))[last]
    precision = tp / predicted
    recall = tp / len(s_out)
    return float(np.sum(np.diff(np.concatenate([[0.0], recall])) * precision))


# ---------------------------------------------------------------------------------------------
# temperature scaling
# ---------------------------------------------------------------------------------------------


def temperature_grid() -> np.ndarray:
    """The bank's temperature grid: 0.1, 0.2, ..., 10.0 built by ``T += 0.1`` (float drift kept)."""
    grid, t = [], 0.1
    for _ in range(100):
        grid.append(t)
        t += 0.1
    return np.array(grid)


def temperature_split(n: int, valid_size: float = 0.2, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """The bank's split of an evaluation set into temperature-fitting and evaluation parts.

    As its ``get_test_valid_loader``: ``indices = list(range(n))``, ``np.random.seed(42)``,
    ``np.random.shuffle(indices)``; the first ``floor(valid_size * n)`` are the validation part
    (for :func:`fit_temperature`), the rest the evaluation part (the bank's ``post_*`` metrics).

    Returns:
        ``(valid_idx, eval_idx)``, int64 index arrays.
    """
    if not 0 < valid_size < 1:
        raise ValueError(f"valid_size must be in (0, 1); got {valid_size}")
    indices = list(range(int(n)))
    np.random.RandomState(seed).shuffle(indices)
    split = int(np.floor(valid_size * n))
    idx = np.asarray(indices, dtype=np.int64)
    return idx[:split], idx[split:]


def fit_temperature(
    logits: Any,
    labels: Any,
    temperatures: Iterable[float] | None = None,
    n_bins: int = 15,
) -> float:
    """The temperature of the grid with the lowest ``n_bins`` equal-width ECE, as the bank fits it.

    The bank's ``ModelWithTemperature.set_temperature(cross_validate='ece')``: for each ``T`` of
    :func:`temperature_grid` (0.1 ... 10.0), softmax of ``logits / T`` and its 15-bin ECE; the
    first ``T`` with the strictly lowest ECE wins (ties keep the smaller ``T``). Not the
    NLL/LBFGS fit of Guo et al. Pass the validation part of :func:`temperature_split`. The
    softmax is taken in the logits' float type (float32 as in torch); the ECE uses the float32
    ``torch.linspace`` bin edges of the reference ``ECELoss`` and float64 sums, so near-ties
    below ~1e-7 can resolve differently from the float32 reference.

    Args:
        logits: pre-softmax outputs.
        labels: true classes.
        temperatures: the grid to search (default :func:`temperature_grid`).
        n_bins: ECE bins used as the criterion.

    Returns:
        The chosen temperature (divide logits by it).

    Shapes:
        logits: ``(n, classes)``. labels: ``(n,)``.
    """
    z = np.asarray(logits)
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] < 2:
        raise ValueError(f"logits must have shape (n, classes) with n >= 1, classes >= 2; got {z.shape}")
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float32)
    if not np.all(np.isfinite(z)):
        raise ValueError("logits must be finite")
    grid = temperature_grid() if temperatures is None else np.asarray(list(temperatures), float)
    if len(grid) == 0 or np.any(grid <= 0):
        raise ValueError("temperatures must be a non-empty sequence of positive numbers")
    _, y = _check(softmax(z), labels)
    edges = np.linspace(0.0, 1.0, n_bins + 1).astype(np.float32).astype(np.float64)
    best_t, best = 1.0, np.inf
    for t in grid:
        p = softmax(z / z.dtype.type(t))
        conf, correct = _top(p, y)
        value = _ece_edges(conf, correct, edges)
        if value < best:
            best_t, best = float(t), value
    return best_t


def _ece_edges(conf: np.ndarray, correct: np.ndarray, edges: np.ndarray) -> float:
    c = conf.astype(np.float64)
    idx = np.searchsorted(edges, c, side="left") - 1  # right-closed bins; c == 0 -> -1
    ok = idx >= 0
    nb = len(edges) - 1
    sc = np.bincount(idx[ok], weights=c[ok], minlength=nb)
    sa = np.bincount(idx[ok], weights=correct[ok], minlength=nb)
    return float(np.abs(sc - sa).sum() / len(c))


# ---------------------------------------------------------------------------------------------
# all bank columns at once, and the reliability diagram
# ---------------------------------------------------------------------------------------------


def metrics(
    probs: Any, labels: Any, n_bins: Sequence[int] = BANK_BINS, kde: bool = True
) -> dict[str, float]:
    """Every calibration column of the bank for one set of predictions, named as in the bank.

    Keys: ``acc``; ``ECE_b``, ``ECE_em_b``, ``cwCE_b``, ``cwCE_em_b``, ``MCE_b`` for each ``b`` in
    ``n_bins``; ``KSCE``, ``KDECE`` (skipped with ``kde=False``), ``MMCE``, ``NLL``, ``Brier``
    (bank definition). Prefix them with ``pre_`` / ``post_`` as the bank does.

    Shapes:
        probs: ``(n, classes)``. labels: ``(n,)``.
    """
    p, y = _check(probs, labels)
    bins = list(n_bins)
    out: dict[str, float] = {"acc": accuracy(p, y)}
    families = {
        "ECE": ece(p, y, bins, "width"),
        "ECE_em": ece(p, y, bins, "mass"),
        "cwCE": classwise_ece(p, y, bins, "width"),
        "cwCE_em": classwise_ece(p, y, bins, "mass"),
        "MCE": mce(p, y, bins, "width"),
    }
    for fam, values in families.items():
        for b, v in zip(bins, np.atleast_1d(values)):
            out[f"{fam}_{b}"] = float(v)
    out["KSCE"] = ks_error(p, y)
    if kde:
        out["KDECE"] = kde_ece(p, y)
    out["MMCE"] = mmce(p, y)
    out["NLL"] = nll(p, y)
    out["Brier"] = brier(p, y)
    return out


def reliability_diagram(
    probs: Any,
    labels: Any,
    n_bins: int = 15,
    binning: str = "width",
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Reliability diagram: accuracy per confidence bin against the diagonal (matplotlib).

    Bars show the accuracy of each non-empty bin at its mean confidence, bar width the bin width;
    the gap to the diagonal is shaded and the ECE of the same bins is printed. matplotlib is
    imported here only.

    Returns:
        The matplotlib ``Axes`` drawn on (a new figure's if ``ax`` is None).

    Shapes:
        probs: ``(n, classes)``. labels: ``(n,)``.
    """
    import matplotlib.pyplot as plt

    _check_binning(binning)
    p, y = _check(probs, labels)
    conf, correct = _top(p, y)
    counts, sv, st, _ = _binned(conf, correct, [n_bins], binning)
    edges = _edges(np.sort(conf), n_bins, binning)
    edges = np.clip(edges, 0.0, 1.0)
    nz = counts > 0
    mean_c = sv[nz] / counts[nz]
    acc = st[nz] / counts[nz]
    lefts, widths = edges[:-1][nz], np.diff(edges)[nz]
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    ax.bar(lefts, acc, width=widths, align="edge", edgecolor="k", alpha=0.8, label="accuracy")
    ax.bar(lefts, mean_c - acc, bottom=acc, width=widths, align="edge", color="tab:red",
           alpha=0.3, label="gap")
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    value = float(np.abs(sv - st).sum() / len(y))
    ax.set_title(title or f"ECE ({n_bins} {binning} bins) = {value:.4f}")
    ax.legend(loc="upper left")
    return ax
