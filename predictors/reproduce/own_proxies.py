"""The toolkit's own zero-cost proxy table (store ``nb201_zc``), as the proxy studies read it.

``nasbench proxies nb201 ...`` computes the proxies on real NB201 networks and the recipe
``nb201_zc`` stores them (dataset ``cifar10``, all 15,625 rows in official order, NaN where not
computed yet). The run fans each isomorphism class out to its members and goes through the classes
in a seeded random order, so a partial table is an unbiased sample of classes; studies report on
the archs computed so far and say how many, and whether the table is complete (``is_complete``).
"""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import TYPE_CHECKING

import numpy as np

from nasbench.vocab import is_zc_metric, zc_metric
from predictors.reproduce.base import Cell, Rule, StudySkipped, load_store

if TYPE_CHECKING:
    import pandas as pd

    from nasbench import Benchmark

STORE = "nb201_zc"
DATASET = "cifar10"
#: published proxy name -> column names it may have in the store (first found wins)
ALIASES = {
    "jacob_cov": ("jacob_cov", "jacov"),
    "jacov": ("jacov", "jacob_cov"),
    "nwot": ("nwot", "naswot"),
    "naswot": ("naswot", "nwot"),
    "te_nas": ("te_nas", "tenas"),
    "az_nas": ("az_nas", "aznas"),
}


def open_table(store: str = STORE) -> Benchmark:
    """Our proxy table ``store`` (default ``nb201_zc``), or ``StudySkipped`` when it is not built
    or holds no value."""
    b = load_store(store)
    if DATASET not in b.datasets or not any(
        np.isfinite(np.asarray(b.values(DATASET, m), dtype=np.float64)).any()
        for m in b.metrics(DATASET) if is_zc_metric(m)
    ):
        raise StudySkipped(f"not available: store {store} holds no computed proxy yet")
    return b


def column(b: Benchmark, proxy: str) -> tuple[str, np.ndarray] | None:
    """``(metric, values)`` of ``proxy`` in the table, or None if it has no such column."""
    metric = _first_alias(proxy, set(b.metrics(DATASET)), zc_metric)
    if metric is None:
        return None
    return metric, np.asarray(b.values(DATASET, metric), dtype=np.float64)


def _first_alias(proxy: str, present: Container[str],
                 name: Callable[[str], str] = str) -> str | None:
    """``name(alias)`` of the first of ``proxy``'s ``ALIASES`` whose name is in ``present``."""
    return next((name(a) for a in ALIASES.get(proxy, (proxy,)) if name(a) in present), None)


def shared_with(b: Benchmark, dataset: str, metric: str, ours: np.ndarray, y: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``(ours, theirs, y)`` on the archs where another implementation's scores (``b``'s
    ``dataset`` / ``metric``, e.g. Suite-Zero's or zero-cost-nas's run stored with the
    benchmark), ours and the target are all finite; None where ``b`` has no such column or they
    share fewer than 10 archs.

    Shapes:
        ours, y: (n,) aligned with ``b``'s rows -> three (k,) arrays
    """
    if metric not in b.metrics(dataset):
        return None
    theirs = np.asarray(b.values(dataset, metric), dtype=np.float64)
    keep = np.isfinite(ours) & np.isfinite(theirs) & np.isfinite(y)
    return (ours[keep], theirs[keep], y[keep]) if keep.sum() >= 10 else None


#: our proxy table -> its seed study (committed, ``data/zc_seeds/<folder>/``): ``archs.txt`` (a
#: seeded sample of the archs the table scored itself) and ``seed-<k>/``, the results of
#: ``nasbench proxies SPACE --archs archs.txt --seed k`` (another init and another image batch for
#: every arch); the table itself is seed 0. The folder's README has the commands.
SEED_STUDIES = {"nb201_zc": "nb201_cifar10", "nb301_zc": "nb301_cifar10"}


def seed_runs(store: str) -> dict[int, pd.DataFrame]:
    """The rows of ``store``'s seed study (``SEED_STUDIES``), read once: ``{seed: rows}`` (the
    results folders' ``arch`` and proxy columns); empty where the table has none."""
    from nasbench.config import PROJECT_ROOT
    from nasbench.recipes._zc import read_results

    folder = SEED_STUDIES.get(store)
    if folder is None:
        return {}
    runs = {}
    for run in sorted((PROJECT_ROOT / "data" / "zc_seeds" / folder).glob("seed-*")):
        manifest, rows = read_results(run)
        runs[int(manifest["settings"]["seed"])] = rows
    return runs


def seed_scores(runs: dict[int, pd.DataFrame], proxy: str) -> dict[int, dict[str, float]]:
    """Our scores of ``proxy`` in a seed study's ``runs`` (``seed_runs``): ``{seed: {arch:
    score}}``, for the seeds that scored it. Arch strings as the results folders hold them (the
    table's ``archs``)."""
    out: dict[int, dict[str, float]] = {}
    for seed, rows in runs.items():
        name = _first_alias(proxy, rows.columns)
        if name is not None and len(rows):
            out[seed] = dict(zip(rows["arch"], rows[name].astype(np.float64)))
    return out


def describe_inputs(b: Benchmark) -> str:
    """What the table says about its inputs (images, batch, seed): the store's description."""
    return " ".join(str(b.description).split())


def is_complete(b: Benchmark, pending: np.ndarray | None = None) -> bool:
    """True when every row of the table has some proxy value and no row is still ``unfinished``:
    the run scored every arch, so a NaN left in a column is that proxy undefined for the arch
    (e.g. a cell whose output ignores the input), not a value still to compute. ``params`` is
    computed for every scored arch, so a row with no value at all is one the run has not reached.
    ``pending``: ``unfinished(b)`` where the caller has it already."""
    cols = [np.isfinite(np.asarray(b.values(DATASET, m), dtype=np.float64))
            for m in b.metrics(DATASET) if is_zc_metric(m)]
    pending = unfinished(b) if pending is None else pending
    return bool(cols) and bool(np.logical_or.reduce(cols).all()) and not pending.any()


def unfinished(b: Benchmark) -> np.ndarray:
    """Rows still waiting for a per-cell proxy (``nasbench.recipes._zc.PER_CELL``, e.g. Zen and
    MeCo while ``nasbench proxies --fill`` adds them): NaN there while the row has a value of a
    gradient proxy (``DATA_ANCHORS``, copied from the class). An arch whose output ignores the
    input has none, so its NaN stays an undefined value.

    Shapes: returns ``(len(b),)`` bool.
    """
    from nasbench.recipes._zc import PER_CELL

    names = set(b.metrics(DATASET))
    per_cell = [zc_metric(p) for p in PER_CELL if zc_metric(p) in names]
    anchors = [zc_metric(p) for p in DATA_ANCHORS if zc_metric(p) in names]
    if not per_cell or not anchors:
        return np.zeros(len(b), bool)

    def has(m: str) -> np.ndarray:
        return np.isfinite(np.asarray(b.values(DATASET, m), dtype=np.float64))

    return np.logical_or.reduce([has(m) for m in anchors]) & ~np.logical_and.reduce(
        [has(m) for m in per_cell])


#: data proxies defined wherever the network's output depends on its input (NaN exactly where it
#: does not): a row with one of them was scored, so a NaN per-cell proxy there is unfinished
DATA_ANCHORS = ("grad_norm", "snip", "jacov")


def table_context(b: Benchmark, total: int) -> dict[str, object]:
    """The context keys ``RULES`` read that belong to the table, not to a cell: ``total`` (archs
    in the benchmark), ``inputs`` (``describe_inputs``), ``complete`` (``is_complete``) and
    ``waiting`` (the per-cell metrics with ``unfinished`` rows). Compute it once per study and
    add each cell's ``n`` and the ``metrics`` it reads."""
    from nasbench.recipes._zc import PER_CELL

    pending = unfinished(b)
    waiting = sorted(zc_metric(p) for p in PER_CELL if zc_metric(p) in b.metrics(DATASET) and (
        pending & ~np.isfinite(np.asarray(b.values(DATASET, zc_metric(p)), dtype=np.float64))).any())
    return {"total": int(total), "inputs": describe_inputs(b), "complete": is_complete(b, pending),
            "waiting": waiting}


def _partial(cell: Cell) -> str | None:
    n, total = cell.context.get("n"), cell.context.get("total")
    if not (n and total and n < total):
        return None
    metrics = cell.context.get("metrics")
    waiting = cell.context.get("waiting")
    # only the per-cell proxies still being filled in are partial; the others are complete
    if cell.context.get("complete") or (
            waiting and metrics is not None and not set(metrics) & set(waiting)):
        return (f"over the {n:,} of {total:,} archs where the proxy and the target are defined (the "
                "table is complete; the others are NaN with a recorded reason); interval by "
                "bootstrap over them")
    return (f"over the {n:,} of {total:,} archs computed so far (partial table); interval by "
            "bootstrap over them")


def _inputs(cell: Cell) -> str | None:
    about = cell.context.get("inputs", "")
    if "JPEG" in about or "jpeg" in about:
        return "our proxies see CIFAR-10 as JPEG q75 images (the only CIFAR-10 copy here)"
    return None


#: notes for every cell computed from this table; they read the cell's context keys ``n`` (archs
#: used) and those of ``table_context``
RULES = (Rule("partial", _partial), Rule("inputs", _inputs))
