"""Our proxy tables against published scores of the same architectures.

::

    >>> from predictors.zero_cost import validate
    >>> validate.against_published("nb101_zc", "nb101", target="valid_accuracy")
    # one row per proxy both stores hold: archs shared, Spearman ours vs theirs, each vs target

The published scores are NAS-Bench-Suite-Zero's (``zc/<proxy>`` in the ``nb101``, ``nb301`` and
``nb201`` stores). The same proxy computed by other code on another batch, init and data pipeline
agrees only up to those conventions, so the Spearman between the two is the check, not equality;
comparing each with the target shows whether a disagreement matters. Works on partial tables
(only archs with a value in both count) and unchanged on the full ones.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

#: fewer shared archs than this give no Spearman (NaN)
MIN_ARCHS = 4


def _spearman(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    from scipy.stats import spearmanr

    ok = np.isfinite(a) & np.isfinite(b)
    n = int(ok.sum())
    if n < MIN_ARCHS or np.ptp(a[ok]) == 0 or np.ptp(b[ok]) == 0:
        return math.nan, n
    return float(spearmanr(a[ok], b[ok])[0]), n


def against_published(
    ours: Any,
    published: Any,
    dataset: str = "cifar10",
    target: str | None = None,
    proxies: list[str] | None = None,
) -> pd.DataFrame:
    """Per proxy, Spearman between our scores and the published ones on the archs both have.

    Args:
        ours: our table (a ``Benchmark``, a store name such as ``"nb101_zc"`` or a path).
        published: the store with the published ``zc/<proxy>`` columns (``"nb101"``, ``"nb301"``).
        dataset: the dataset of both (``cifar10``).
        target: a metric of ``published`` (e.g. ``valid_accuracy``) to also correlate each
            score with, on the same archs; None for none.
        proxies: names to compare (default: every ``zc/<name>`` both stores hold).

    Returns:
        one row per proxy: ``proxy``, ``archs`` (with a value in both), ``spearman`` (ours vs
        published), and with ``target``: ``ours_vs_target``, ``published_vs_target``. NaN where
        fewer than ``MIN_ARCHS`` archs are shared or a column is constant.
    """
    import nasbench

    a = ours if isinstance(ours, nasbench.Benchmark) else nasbench.load(ours)
    b = published if isinstance(published, nasbench.Benchmark) else nasbench.load(published)
    theirs = set(b.archs)
    shared = [x for x in a.archs if x in theirs]
    names_a = {m[3:] for m in a.metrics(dataset) if m.startswith("zc/")}
    names_b = {m[3:] for m in b.metrics(dataset) if m.startswith("zc/")}
    names = sorted(names_a & names_b) if proxies is None else list(proxies)
    y = b.query(shared, dataset, target) if target and shared else None
    rows = []
    for name in names:
        va = a.query(shared, dataset, f"zc/{name}") if shared else np.array([])
        vb = b.query(shared, dataset, f"zc/{name}") if shared else np.array([])
        rho, n = _spearman(va, vb)
        row: dict[str, Any] = {"proxy": name, "archs": n, "spearman": rho}
        if y is not None:
            both = np.isfinite(va) & np.isfinite(vb)
            row["ours_vs_target"] = _spearman(np.where(both, va, np.nan), y)[0]
            row["published_vs_target"] = _spearman(np.where(both, vb, np.nan), y)[0]
        rows.append(row)
    return pd.DataFrame(rows)
