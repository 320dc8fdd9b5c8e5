"""What every ``<store>_zc`` recipe shares: a store built from this project's own proxy run.

A proxy run (``nasbench proxies SPACE --dataset D``, ``predictors.zero_cost.table``) leaves a
results folder ``data/zc/<space>_<dataset>/``: ``chunk-*.csv.gz`` files with one row per scored
architecture (``index``, ``arch``, one column per metric, ``reasons``, ``seconds``) and a
``manifest.json`` (command, settings, images, counts, wall time). A ``ZcTable`` reads such a
folder into ``zc/<metric>`` columns aligned with the store's rows:

* rows are matched by **arch string** (the exact string the plan gave the run, which is the
  store's own string for that arch); where the space has an official index the row's ``index``
  must also be that arch's index, otherwise ``index`` is only the position the run's plan gave the
  arch (the row of the ``<store>_zc`` table when it ran) and is not read;
* with ``fan_out`` (spaces whose isomorphism classes the run scores once: NB201, NAS-Bench-Macro,
  TransNAS micro) an arch without its own value takes its class representative's
  (``space.canonical``), except the ``PER_CELL`` metrics, which read weights a cell's function does
  not use and are computed for every arch, and the ``SAME_AS`` metrics, which equal one of them
  (``az_nas.complexity`` is ``flops``);
* AZ-NAS's four components become the rank aggregate ``zc/az_nas`` over the archs that have any
  (with fan-out, not those still waiting for their own complexity, see ``with_az_nas``);
* each column's description counts the archs that have a value; the store's description ends
  with COMPLETE (every planned arch scored: a NaN is a proxy undefined there, with the row's
  recorded reason) or PARTIAL (the run goes on: NaN also where not yet computed).

The store's ``results_dir`` is the folder, so ``nasbench build`` rebuilds it when results are added.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nasbench.errors import SourceMissingError
from nasbench.recipes.base import Part, Recipe, zc_column
from nasbench.sources import Source
from nasbench.store import Column

#: units of the proxies that are quantities (``predictors/zero_cost/proxies/params.py``,
#: ``flops.py``: trainable parameters in millions, multiply-accumulates of one image in millions)
OWN_UNITS = {"params": "M", "flops": "M MACs"}

#: the proxies computed for every arch (never fanned out): they read modules a cell's function
#: does not use, e.g. a conv on a dead edge: its weights, its BN (Zen), its output (MeCo)
#: (``predictors.zero_cost.table`` plans its runs from this list)
PER_CELL = ("params", "flops", "l2_norm", "zen", "meco")
#: metrics that are another ``PER_CELL`` metric by definition, so per cell too where that one is:
#: AZ-NAS's complexity is the network's FLOPs (its notebook reads the benchmark's per-cell FLOPs)
SAME_AS = {"az_nas.complexity": "flops"}
AZ_COMPONENTS = ("expressivity", "progressivity", "trainability", "complexity")
NOT_METRICS = frozenset({"index", "arch", "reasons", "seconds"})


def per_arch(metric: str) -> bool:
    """Whether a fanned-out table holds each arch's own value of ``metric`` (a ``PER_CELL`` proxy,
    a component of one, or a ``SAME_AS`` metric) rather than its class representative's."""
    return metric.split(".", 1)[0] in PER_CELL or metric in SAME_AS


def read_results(folder: Path, command: str = "nasbench proxies SPACE --dataset D") -> tuple[dict, pd.DataFrame]:
    """The manifest and every chunk's rows of a proxy results directory.

    Raises:
        SourceMissingError: the folder has no ``manifest.json`` (the message names ``command``).
    """
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise SourceMissingError(
            f"proxy results {str(manifest_path)!r} are missing; make them with `{command} --out {folder}`"
        )
    manifest = json.loads(manifest_path.read_text())
    files = sorted(folder.glob("chunk-*.csv.gz"))
    # arch strings stay strings: NAS-Bench-Macro's "00000012" would otherwise become 12
    rows = pd.concat([pd.read_csv(f, dtype={"arch": str}) for f in files], ignore_index=True) if files else pd.DataFrame(
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


def place(rows: pd.DataFrame, archs: Sequence[str], space: Any, folder: Path) -> dict[str, np.ndarray]:
    """metric -> ``(n,)`` values at the store's rows from the results rows (matched by arch
    string; a row with a value wins over one without, so a repeated arch keeps its value).

    Raises:
        ValueError: an arch is not among the store's rows, or (official-index spaces) its
            ``index`` is not that arch's official index.
    """
    n = len(archs)
    metrics = [c for c in rows.columns if c not in NOT_METRICS]
    if not len(rows):
        return {m: np.full(n, np.nan) for m in metrics}
    row_of = {a: i for i, a in enumerate(archs)}
    found = rows["arch"].map(row_of)
    if found.isna().any():
        bad = rows["arch"][found.isna()].iloc[0]
        raise ValueError(
            f"{folder}: arch {bad!r} is not a row of the {space.name} table ({int(found.isna().sum())} "
            "such rows); were these results made for another arch list?"
        )
    idx = found.to_numpy(dtype=int)
    # the official index is the row on NB201, a key on NAS-Bench-Graph: ask the space
    official = getattr(space, "has_official_index", False)
    if official and not np.array_equal(rows["arch"].map(space.index).to_numpy(dtype=int),
                                       rows["index"].to_numpy(dtype=int)):
        raise ValueError(f"{folder}: an arch string does not match its official index")
    own = {}
    for m in metrics:
        vals = pd.to_numeric(rows[m], errors="coerce").to_numpy(dtype=float)
        order = np.argsort(~np.isnan(vals), kind="stable")  # NaN rows first: a value wins
        own[m] = np.full(n, np.nan)
        own[m][idx[order]] = vals[order]
    return own


def representatives(space: Any, archs: Sequence[str]) -> np.ndarray:
    """The row of each row's class representative (``space.canonical``, itself a row).

    Shapes: archs ``(n,)``; returns ``(n,)`` int.
    """
    row_of = {a: i for i, a in enumerate(archs)}
    return np.array([row_of[space.canonical(a)] for a in archs], dtype=int)


def fan_out(own: dict[str, np.ndarray], rep: np.ndarray) -> dict[str, np.ndarray]:
    """Each arch's own value where it has one, else its representative's (row ``rep[i]``);
    ``PER_CELL`` metrics are never copied, and a ``SAME_AS`` metric takes the arch's own value of
    the metric it equals wherever the representative was scored: NaN while that value is not yet
    computed (the class's would be another network's: a conv on a dead edge still costs FLOPs).

    Shapes: each value ``(n,)``; rep ``(n,)``; returns ``(n,)`` arrays.
    """
    out = {}
    for m, v in own.items():
        if m.split(".", 1)[0] in PER_CELL:
            out[m] = v
        else:
            filled = v.copy()
            missing = np.isnan(filled)
            filled[missing] = v[rep[missing]]
            same = own.get(SAME_AS.get(m, ""))
            if same is not None:
                filled = np.where(np.isfinite(filled), same, np.nan)
            out[m] = filled
    return out


def with_az_nas(values: dict[str, np.ndarray], rep: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """``values`` plus ``az_nas``, the rank aggregate of the four AZ-NAS components (when all
    four are there) over the archs that have any. With ``rep`` (a fanned-out table, see
    ``fan_out``) an arch whose class was scored but whose own complexity is not in yet is left
    out, not ranked lowest.

    Shapes: each value ``(n,)``; rep ``(n,)``; returns ``(n,)`` arrays.
    """
    comps = [values.get(f"az_nas.{c}") for c in AZ_COMPONENTS]
    if any(c is None for c in comps):
        return values
    if rep is not None:
        complexity = values["az_nas.complexity"]
        waiting = np.isnan(complexity) & np.isfinite(complexity[rep])
        comps = [np.where(waiting, np.nan, c) for c in comps]
    return {**values, "az_nas": rank_aggregate(comps)}


@dataclass
class ZcTable:
    """One space's proxy table: where its results are and how they become columns.

    Attributes:
        space: the search space object (``nasbench.spaces.<name>.SPACE``).
        dataset: the store's dataset name (the dataset the networks were built for).
        results_dir: the results folder (``data/zc/<space>_<dataset>``).
        command: the command that makes (or resumes) the run, for messages.
        fan_out: fill archs from their isomorphism-class representative (see the module docstring).
        unit: what a row is called in descriptions (``"cells"``, ``"archs"``).
        images: what the networks saw, when the manifest does not say (older runs).
    """

    space: Any
    dataset: str
    results_dir: Path
    command: str
    fan_out: bool = False
    unit: str = "archs"
    images: str = "CIFAR-10 (JPEG q75) train images"

    def read(self, paths: list[Path], archs: list[str], folder: Path | None = None) -> list[Column]:
        """The ``zc/<metric>`` columns of the results in ``folder`` (default ``results_dir``)
        aligned with ``archs``; ``paths`` (the part's raw files) are not read."""
        del paths
        folder = Path(folder or self.results_dir)
        manifest, rows = read_results(folder, self.command)
        n = len(archs)
        values = place(rows, archs, self.space, folder)
        rep = representatives(self.space, archs) if self.fan_out and values else None
        if rep is not None:
            values = fan_out(values, rep)
        values = with_az_nas(values, rep)
        settings = manifest.get("settings", {})
        how = (
            f"{manifest.get('images', self.images)}; batch {settings.get('batch_size', 64)}, "
            f"seed {settings.get('seed', 0)}; computed by this project (`nasbench proxies`, "
            "predictors/zero_cost); the proxy's convention is in its module docstring "
            "(predictors/zero_cost/proxies/<name>.py)"
        )
        columns = []
        for metric, v in values.items():
            scored = int(np.isfinite(v).sum())
            text = f"{metric}: {scored:,} of {n:,} {self.unit} have a value; {how}"
            if metric == "az_nas":
                text = ("AZ-NAS rank aggregate sum_k log(rank_k / n) of expressivity, progressivity, "
                        f"trainability and complexity over the {self.unit} scored so far; " + text)
            columns.append(zc_column(self.dataset, metric, v, text, OWN_UNITS.get(metric, "score")))
        return columns

    def progress(self) -> str:
        """Whether the run is COMPLETE or PARTIAL, and how far it is (for the store's description).

        Complete means the manifest's ``archs_done`` reached its ``planned_archs``: every planned
        row was scored, and a NaN is then a proxy undefined for that arch (its recorded reason).
        """
        try:
            manifest, rows = read_results(self.results_dir, self.command)
        except SourceMissingError:
            return f"PARTIAL: no results yet (make them with `{self.command}`)."
        scored = int(rows["arch"].nunique()) if len(rows) else 0
        done, planned = manifest.get("archs_done"), manifest.get("planned_archs")
        run = (f"{scored:,} {self.unit} scored (manifest: {done if done is not None else '?'} rows "
               f"of {planned if planned is not None else '?'} planned, "
               f"{manifest.get('wall_seconds', '?')} s wall, command `{manifest.get('command', '?')}`)")
        missing = int(manifest.get("rows_missing_per_cell", 0))
        if missing:
            return (f"PARTIAL: {missing:,} {self.unit} still lack their own per-cell proxies "
                    f"({', '.join(PER_CELL)}; NaN there, not copied from their class), computed by "
                    f"`{self.command} --fill`. Run: {run}.")
        if done is not None and planned is not None and int(done) >= int(planned):
            return (f"COMPLETE: every planned {self.unit[:-1]} scored; NaN only where a proxy is "
                    f"undefined for the arch (the row's recorded reason). Run: {run}.")
        return (f"PARTIAL while the run goes on: NaN where not yet computed; the column "
                f"descriptions count the {self.unit} with values. Progress: {run}.")

    def recipe(
        self,
        name: str,
        archs: Callable[..., list[str]],
        description: str,
        *,
        arch_sources: Sequence[Source] = (),
        extra_sources: Sequence[Source] = (),
        official_index: bool = False,
    ) -> Recipe:
        """The store's ``Recipe``: one part reading ``results_dir`` (set as its ``results_dir``);
        the description ends with the run's status (``progress``)."""
        rel = f"data/zc/{self.results_dir.name}"
        return Recipe(
            name=name,
            space=self.space.name,
            archs=archs,
            parts=[Part(f"{name.replace('_', '-')}-results", (), self.read,
                        f"the project's own proxy run ({rel}, `nasbench proxies`)")],
            # the provenance lists the arch list's raw files as sources read outside the parts
            extra_sources=tuple(extra_sources) or tuple(arch_sources),
            arch_sources=tuple(arch_sources),
            official_index=official_index,
            results_dir=self.results_dir,
            description=f"{description} {self.progress()}",
        )
