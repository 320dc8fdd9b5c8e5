"""The ``nb201_zc`` store: this project's own zero-cost proxies for every NB201 cell on CIFAR-10.

Built from the committed results of ``nasbench proxies nb201 --dataset cifar10 --archs all``
(``predictors/zero_cost``) in ``data/zc/nb201_cifar10/`` (``chunk-*.csv.gz``: one row per scored
architecture; ``manifest.json``: the command, settings, images and wall time). Nothing is read from
the raw-data folder: the scores are the project's own computation.

* Rows: the 15,625 NB201 cells in official order; dataset ``cifar10`` (the networks have 10
  classes and saw CIFAR-10 (JPEG q75) train images).
* Metrics ``zc/<proxy>`` for grad_norm, snip, grasp, fisher, synflow, jacov, nwot, epe_nas, zen,
  plain, l2_norm, params, flops, gradsign, zico, meco, swap; AZ-NAS as its four components
  ``zc/az_nas.expressivity`` / ``.progressivity`` / ``.trainability`` / ``.complexity`` and the
  rank aggregate ``zc/az_nas`` over the cells that have all four (it changes as more cells are
  scored: a rank is relative to the population).
* The isomorphism-class representatives are scored with every proxy; the other cells take their
  representative's value for every proxy except ``params``, ``flops`` and ``l2_norm`` (a conv on
  a dead edge still has weights), which are computed for each cell. NaN where not yet computed
  (the run goes through the representatives in a seeded random order) or undefined (the row's
  recorded reason: e.g. the output does not depend on the input).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from nasbench.config import PROJECT_ROOT
from nasbench.errors import SourceMissingError
from nasbench.recipes.base import Part, Recipe, zc_column
from nasbench.spaces.nb201 import OFFICIAL_ORDER_SOURCE, SPACE

RESULTS_DIR = PROJECT_ROOT / "data" / "zc" / "nb201_cifar10"
DATASET = "cifar10"
#: the proxies computed for every cell (not fanned out): they read weights a cell's function
#: does not use (must match predictors.zero_cost.table.PER_CELL)
PER_CELL = ("params", "flops", "l2_norm")
AZ_COMPONENTS = ("expressivity", "progressivity", "trainability", "complexity")
_NOT_METRICS = {"index", "arch", "reasons", "seconds"}


def read_results(folder: Path) -> tuple[dict, pd.DataFrame]:
    """The manifest and every chunk's rows of a proxy results directory."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise SourceMissingError(
            f"proxy results {str(manifest_path)!r} are missing; make them with `nasbench proxies "
            f"nb201 --dataset cifar10 --archs all --out {folder}`"
        )
    manifest = json.loads(manifest_path.read_text())
    files = sorted(folder.glob("chunk-*.csv.gz"))
    rows = pd.concat([pd.read_csv(f) for f in files], ignore_index=True) if files else pd.DataFrame(
        columns=["index", "arch"]
    )
    return manifest, rows


def rank_aggregate(components: list[np.ndarray]) -> np.ndarray:
    """AZ-NAS's ``sum_k log(rank_k / n)`` over the rows that have any component (the population
    scored so far, ``n`` of them); within it a NaN component ranks lowest (the official
    ``-inf``); NaN for the rows outside it.

    Shapes: each component ``(N,)``; returns ``(N,)``.
    """
    stacked = np.stack([np.asarray(a, dtype=float) for a in components])
    scored = ~np.all(np.isnan(stacked), axis=0)
    n = int(scored.sum())
    total = np.full(stacked.shape[1], np.nan)
    if n:
        part = np.zeros(n)
        for a in stacked[:, scored]:
            filled = np.where(np.isnan(a), -np.inf, a)
            part += np.log(pd.Series(filled).rank(method="average").to_numpy() / n)
        total[scored] = part
    return total


def fan_out(rows: pd.DataFrame, n: int) -> dict[str, np.ndarray]:
    """metric -> (n,) values at official rows: each cell's own row where it has the metric, else
    its isomorphism representative's (except ``PER_CELL`` metrics, never copied)."""
    metrics = [c for c in rows.columns if c not in _NOT_METRICS]
    own = {m: np.full(n, np.nan) for m in metrics}
    for m in metrics:
        vals = pd.to_numeric(rows[m], errors="coerce").to_numpy(dtype=float)
        idx = rows["index"].to_numpy(dtype=int)
        order = np.argsort(~np.isnan(vals), kind="stable")  # NaN rows first: a value wins
        own[m][idx[order]] = vals[order]
    rep = np.array([SPACE.index(SPACE.canonical(a)) for a in SPACE.official_order])
    out = {}
    for m, v in own.items():
        base = m.split(".", 1)[0]
        if base in PER_CELL:
            out[m] = v
        else:
            filled = v.copy()
            missing = np.isnan(filled)
            filled[missing] = v[rep[missing]]
            out[m] = filled
    return out


def read(paths: list[Path], archs: list[str], folder: Path | None = None) -> list:
    """Columns of the proxy results, aligned with the official NB201 order."""
    del paths
    folder = folder or RESULTS_DIR
    manifest, rows = read_results(folder)
    n = len(archs)
    if len(rows) and not rows["arch"].equals(rows["index"].map(SPACE.arch_at)):
        raise ValueError(f"{folder}: an arch string does not match its official index")
    values = fan_out(rows, n)
    settings = manifest.get("settings", {})
    how = (
        f"{manifest.get('images', 'CIFAR-10 (JPEG q75) train images')}; batch "
        f"{settings.get('batch_size', 64)}, seed {settings.get('seed', 0)}; computed by this "
        "project (`nasbench proxies`, predictors/zero_cost); the proxy's convention is in its "
        "module docstring (predictors/zero_cost/proxies/<name>.py)"
    )
    columns = []
    comps = [f"az_nas.{c}" for c in AZ_COMPONENTS]
    if all(c in values for c in comps):
        values["az_nas"] = rank_aggregate([values[c] for c in comps])
    for metric, v in values.items():
        scored = int(np.isfinite(v).sum())
        text = f"{metric}: {scored:,} of {n:,} cells have a value; {how}"
        if metric == "az_nas":
            text = ("AZ-NAS rank aggregate sum_k log(rank_k / n) of expressivity, progressivity, "
                    "trainability and complexity over the cells scored so far; " + text)
        columns.append(zc_column(DATASET, metric, v, text))
    return columns


def _describe() -> str:
    try:
        manifest, rows = read_results(RESULTS_DIR)
    except SourceMissingError:
        return "no results yet"
    reps = int(rows["index"].nunique()) if len(rows) else 0
    return (
        f"{reps:,} cells scored (manifest: {manifest.get('archs_done', '?')} rows, "
        f"{manifest.get('wall_seconds', '?')} s wall, command `{manifest.get('command', '?')}`)"
    )


RECIPE = Recipe(
    name="nb201_zc",
    space="nb201",
    archs=lambda: list(SPACE.official_order),
    parts=[Part("nb201-zc-results", (), read,
                "the project's own proxy run (data/zc/nb201_cifar10, `nasbench proxies`)")],
    extra_sources=(OFFICIAL_ORDER_SOURCE,),
    results_dir=RESULTS_DIR,
    description=(
        "This project's zero-cost proxies on the NB201 networks at initialisation, CIFAR-10: the "
        "13 NAS-Bench-Suite-Zero proxies plus GradSign, ZiCo, MeCo, AZ-NAS (components and rank "
        "aggregate) and SWAP, computed with fused passes (`nasbench proxies`) on CIFAR-10 (JPEG "
        "q75) train images, batch 64, seed 0 (MeCo: the first image; Zen and AZ-NAS: Gaussian "
        "inputs; synflow: an all-ones image). Isomorphism-class representatives are scored and "
        "fanned out to their class (params, flops, l2_norm per cell). PARTIAL while the run goes "
        "on: NaN where not yet computed; the column descriptions count the cells with values. "
        "Progress: " + _describe()
    ),
)
