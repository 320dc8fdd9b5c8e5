"""NAS-Bench-Suite-Zero Figure 6, from the published proxy scores the stores hold.

Published (``suite_zero_spearman.csv``): Spearman rho between each of 13 zero-cost proxies and
validation accuracy, one draw of 1,000 random archs per benchmark (200 for the SVHN, NinaPro and
Spherical-CIFAR-100 tasks), target NASLib's ``val_accuracy``; 0.00 marks an undefined value.

Ours: the same proxy scores (Suite-Zero's own exports, read into the stores by the recipes) against
the same target, on the archs that have both. Where we have more archs than the paper's sample we
draw ``seeds`` samples of its size and report their mean, with the 2.5-97.5 percentiles of single
draws as the interval (the published number is one draw). Where we have no more than the
paper's sample size, we use all we have once, with a bootstrap interval over those archs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nasbench.vocab import zc_metric
from predictors.reproduce.base import (
    Cell,
    Config,
    Report,
    Rule,
    Section,
    Study,
    StudySkipped,
    judge,
    load_store,
    read_reference,
    rounding_of,
)
from predictors.reproduce.stats import draw_interval, sample_corr, spearman_summary

if TYPE_CHECKING:
    from nasbench import Benchmark

DEFAULT_DRAWS = 100


@dataclass(frozen=True)
class Row:
    """Where a published row's data lives here."""

    label: str
    store: str
    dataset: str
    target: str
    size: int  # the paper's sample size
    population: int | None = None  # archs the paper drew from, where known


#: published row -> store, dataset, target (NASLib's val_accuracy as each store names it)
ROWS = [
    Row("NB101-CF10", "nb101", "cifar10", "valid_accuracy_naslib", 1000, 423_624),
    Row("NB201-CF10", "nb201", "cifar10", "valid_accuracy_naslib", 1000, 15_625),
    Row("NB201-CF100", "nb201", "cifar100", "valid_accuracy_naslib", 1000, 15_625),
    Row("NB201-IMGNT", "nb201", "ImageNet16-120", "valid_accuracy_naslib", 1000, 15_625),
    Row("NB201-SVHN", "naslib_zc_tasks", "svhn", "valid_accuracy", 200),
    Row("NB201-NINAPRO", "naslib_zc_tasks", "ninapro", "valid_accuracy", 200),
    Row("NB201-SCIFAR100", "naslib_zc_tasks", "scifar100", "valid_accuracy", 200),
    Row("NB301-CF10", "nb301", "cifar10", "valid_accuracy", 1000),
    Row("NB301-SVHN", "nb301", "svhn", "valid_accuracy", 200),
    Row("NB301-NINAPRO", "nb301", "ninapro", "valid_accuracy", 200),
    Row("NB301-SCIFAR100", "nb301", "scifar100", "valid_accuracy", 200),
    *(Row(f"TNB-Micro-{k}", "transnas101_micro", t, "", 1000, 4096) for k, t in (
        ("AUTOENC", "autoencoder"), ("ROOM", "room_layout"), ("JIGSAW", "jigsaw"),
        ("NORMAL", "normal"), ("OBJECT", "class_object"), ("SEGMENT", "segmentsemantic"),
        ("SCENE", "class_scene"))),
    *(Row(f"TNB-Micro-{k}", "transnas101_micro", t, "valid_accuracy", 200) for k, t in (
        ("NINAPRO", "ninapro"), ("SCIFAR100", "scifar100"), ("SVHN", "svhn"))),
    *(Row(f"TNB-Macro-{k}", "transnas101_macro", t, "", 1000, 3256) for k, t in (
        ("AUTOENC", "autoencoder"), ("ROOM", "room_layout"), ("JIGSAW", "jigsaw"),
        ("NORMAL", "normal"), ("OBJECT", "class_object"), ("SEGMENT", "segmentsemantic"),
        ("SCENE", "class_scene"))),
]


def _undefined(cell: Cell) -> str | None:
    if cell.published == 0.0 and not np.isfinite(cell.ours):
        return "undefined on both sides: the proxy is constant on these archs (published 0.00)"
    return None


def _whole(cell: Cell) -> str | None:
    full = cell.context.get("whole")
    if not full or cell.published is None:
        return None
    column, n, mean, low, high = full
    if low - cell.rounding <= cell.published <= high + cell.rounding:
        return (f"the gap is the subset: the store's `{column}` column, which covers {n:,} archs, "
                f"gives {mean:.2f} [{low:.2f}, {high:.2f}] drawn the same way, around the "
                "published value")
    return None


def _subset(cell: Cell) -> str | None:
    n, pop = cell.context.get("candidates"), cell.context.get("population")
    if n and pop and n < pop:
        return (f"{cell.context['proxy_n']:,} archs have this proxy score here "
                f"({cell.context['store']}), of the {pop:,} the paper drew from")
    return None


def _fewer(cell: Cell) -> str | None:
    n, size = cell.context.get("candidates"), cell.context.get("size")
    if n is not None and size and n < size:
        return (f"only {n:,} archs here against the paper's sample of {size:,}: all of them, "
                "interval by bootstrap over them")
    return None


def _sign(cell: Cell) -> str | None:
    if cell.published is None or not np.isfinite(cell.ours) or abs(cell.published) < 0.1:
        return None
    low, high = cell.interval
    flipped = -cell.published
    if low - cell.rounding <= flipped <= high + cell.rounding:
        return (f"opposite sign: ours {cell.ours:+.2f} is the published value negated "
                "(a different sign convention of the score)")
    return None


RULES = (Rule("undefined", _undefined, verifies=True), Rule("sign", _sign, verifies=True),
         Rule("whole", _whole, verifies=True),
         Rule("subset", _subset), Rule("fewer", _fewer))


def _column(b: Benchmark, dataset: str, proxy: str) -> np.ndarray | None:
    names = b.metrics(dataset)
    for m in (zc_metric(proxy), proxy):
        if m in names:
            return np.asarray(b.values(dataset, m), dtype=np.float64)
    return None


def _target(b: Benchmark, row: Row) -> np.ndarray:
    from predictors.reproduce.transnas_cross_task import TASK_METRICS

    target = row.target or TASK_METRICS[row.dataset]
    return np.asarray(b.values(row.dataset, target), dtype=np.float64)


def _whole_column(b: Benchmark, row: Row, proxy: str, y: np.ndarray, n: int, draws: int) -> tuple | None:
    """For a proxy the store also holds as a plain column over more archs (params, flops): the
    same draws over those archs, to test whether a gap comes from the subset."""
    if zc_metric(proxy) not in b.metrics(row.dataset) or proxy not in b.metrics(row.dataset):
        return None
    x = np.asarray(b.values(row.dataset, proxy), dtype=np.float64)
    keep = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if keep.size <= max(n, row.size):
        return None
    vals = sample_corr(x[keep], y[keep], row.size, draws)
    return (proxy, int(keep.size), float(np.nanmean(vals)), *draw_interval(vals))


def compute(config: Config, rows: list[Row] | None = None) -> tuple[list[Section], dict]:
    """The cells of every row the stores can serve; also which rows were left out and why."""
    ref = read_reference("suite_zero_spearman.csv")
    proxies = [c for c in ref.columns if c != "benchmark"]
    draws = config.seeds or DEFAULT_DRAWS
    published = {r["benchmark"]: r for r in ref.to_dict("records")}
    sections, missing = [], {}
    for row in rows or ROWS:
        if row.label not in published:
            continue
        try:
            b = load_store(row.store)
        except StudySkipped as exc:
            missing[row.label] = str(exc)
            continue
        if row.dataset not in b.datasets:
            missing[row.label] = f"{row.store} has no dataset {row.dataset}"
            continue
        y = _target(b, row)
        cells = []
        for proxy in proxies:
            x = _column(b, row.dataset, proxy)
            if x is None:
                continue
            keep = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
            if keep.size < 10:
                continue
            text = published[row.label][proxy]
            ours, low, high, n = spearman_summary(x[keep], y[keep], row.size, draws)
            context = {"candidates": int(keep.size), "proxy_n": int(np.isfinite(x).sum()),
                       "population": row.population, "size": row.size, "store": row.store}
            whole = _whole_column(b, row, proxy, y, int(keep.size), draws)
            if whole:
                context["whole"] = whole
            cells.append(judge(Cell(
                row.label, proxy, ours, low, high, published=float(text),
                rounding=rounding_of(text), n=n, digits=2,
                context=context,
            ), RULES))
        if not cells:
            missing[row.label] = f"{row.store}/{row.dataset} has none of the 13 proxies"
            continue
        sections.append(Section(_title(row, cells), cells, findings=[_finding(cells)]))
    return sections, missing


def _title(row: Row, cells: list[Cell]) -> str:
    n = cells[0].context["candidates"]
    return f"{row.label} ({row.store}/{row.dataset}, {n:,} archs)"


def _finding(cells: list[Cell]) -> str:
    counts: dict[str, int] = {}
    for c in cells:
        counts[c.verdict] = counts.get(c.verdict, 0) + 1
    worst = max((c for c in cells if c.verdict == "differs"), key=lambda c: abs(c.diff), default=None)
    text = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
    if worst is not None:
        text += f"; largest unexplained gap: {worst.col} {worst.diff:+.2f}"
    return f"{len(cells)} proxies: {text}."


def run(config: Config) -> Report:
    sections, missing = compute(config)
    if not sections:
        raise StudySkipped("not available: no store with Suite-Zero proxy scores is built")
    draws = config.seeds or DEFAULT_DRAWS
    protocol = (
        "Protocol: Spearman rho between each stored Suite-Zero proxy score and the stored NASLib "
        "validation accuracy, over the archs that have both. Rows with more archs than the "
        f"paper's sample: {draws} draws of the paper's size (seeds 0..{draws - 1}), ours = their "
        "mean, interval = 2.5-97.5 percentiles of single draws. Rows with no more: all archs "
        f"once, interval from {draws} bootstrap resamples. `params` / `flops` are the stores' "
        "columns where no `zc/` copy exists."
    )
    if missing:
        protocol += " Rows not served here: " + "; ".join(f"{k} ({v})" for k, v in missing.items()) + "."
    return STUDY.report(protocol, sections)


STUDY = Study(
    name="suite-zero-fig6",
    title="NAS-Bench-Suite-Zero Figure 6 from the published proxy scores",
    cite="Krishnakumar et al., \"NAS-Bench-Suite-Zero: Accelerating Research on Zero Cost "
    "Proxies\", NeurIPS 2022 Datasets and Benchmarks, Figure 6.",
    run=run,
    default_seeds=DEFAULT_DRAWS,
    needs=("nb201", "nb101", "nb301", "naslib_zc_tasks", "transnas101_micro", "transnas101_macro"),
)
