"""Tao et al. 2024 ("A Benchmark Study on Calibration"): the Kendall-tau findings the calibration
tables here can serve.

Published (reference README, "Calibration bank"): Kendall tau over the NATS topology space between
ECE on different datasets (top-100 archs by accuracy), between ECE and other calibration metrics
on CIFAR-10, and between ECE at different bin counts (pre and post temperature scaling).

Two sources of ours, each used where it has the metrics:

* ``calibration``: the bank's own values recovered from the authors' notebook outputs (partial:
  the rows their notebooks printed, not a random sample; the store says how many per metric);
* ``nb201_bank``: the toolkit's own bank (``nasbench build-bank``; CIFAR-10 only, a reduced
  training recipe), when it is built.

Kendall tau-b over the archs with both values; interval: 2.5-97.5 percentiles over bootstrap
resamples of those archs. ECE is the 15-bin equal-width ECE unless a finding names bins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from predictors.metrics import kendall
from predictors.reproduce import published as pub
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
)
from predictors.reproduce.stats import draw_interval

if TYPE_CHECKING:
    from nasbench import Benchmark

DEFAULT_RESAMPLES = 200
TOP = 100
SOURCES = {
    "calibration": "the bank's values recovered from the authors' notebook outputs",
    "nb201_bank": "the toolkit's own bank (reduced recipe)",
}
ALIAS = {"IN16": "ImageNet16-120", "C10": "cifar10", "C100": "cifar100"}


@dataclass(frozen=True)
class Finding:
    label: str
    a: tuple[str, str]  # (dataset, metric)
    b: tuple[str, str]
    text: str  # the published value as printed
    top: bool = False  # restrict to the top-100 by accuracy


def _findings() -> list[Finding]:
    text = pub.section("Calibration bank")
    num = r"(-?\d\.\d+)"
    out = []
    m = pub.find(rf"IN16-C10\s+{num},\s+IN16-C100\s+{num},\s+C10-C100\s+{num}", text)
    for (x, y), t in zip((("IN16", "C10"), ("IN16", "C100"), ("C10", "C100")), m.groups()):
        out.append(Finding(f"ECE {x} vs {y} (top-{TOP} by accuracy)",
                           (ALIAS[x], "ece/pre_ts/15_bins"), (ALIAS[y], "ece/pre_ts/15_bins"), t, top=True))
    m = pub.find(rf"ECE-KSCE\s+{num},\s+ECE-MMCE\s+{num},\s+ECE-cwCE_em\s+{num}", text)
    for other, t in zip(("ksce/pre_ts", "mmce/pre_ts", "cwce_em/pre_ts/15_bins"), m.groups()):
        out.append(Finding(f"CIFAR-10 ECE vs {other.split('/')[0].upper()}",
                           ("cifar10", "ece/pre_ts/15_bins"), ("cifar10", other), t))
    m = pub.find(rf"5\s+vs\s+500\s+bins\s+{num},\s+5\s+vs\s+10\s+{num}", text)
    post = pub.find(rf"post\s+scaling\s+{num}\s+and\s+{num}", text)
    for ts, groups in (("pre_ts", m.groups()), ("post_ts", post.groups())):
        for bins, t in zip((500, 10), groups):
            out.append(Finding(f"CIFAR-10 ECE 5 vs {bins} bins, {ts.replace('_ts', '')} scaling",
                               ("cifar10", f"ece/{ts}/5_bins"), ("cifar10", f"ece/{ts}/{bins}_bins"), t))
    return out


def _values(b: Benchmark, dataset: str, metric: str) -> np.ndarray | None:
    if dataset not in b.datasets or metric not in b.metrics(dataset):
        return None
    return np.asarray(b.values(dataset, metric), dtype=np.float64)


def _one_per_class(b: Benchmark, rows: np.ndarray) -> np.ndarray:
    """The first of ``rows`` in each isomorphism class: a store that copies a class's value to
    every member (the ``calibration`` store does) must not count one network several times."""
    seen: set[str] = set()
    first = []
    for r in rows.tolist():
        cls = b.space.canonical(b.archs[r])
        if cls not in seen:
            seen.add(cls)
            first.append(r)
    return np.asarray(first, dtype=np.int64)


def _selection(cell: Cell) -> str | None:
    if cell.context.get("store") == "calibration":
        return (f"{cell.context['n']:,} archs: the rows the authors' notebooks printed, not a "
                "random sample of the space")
    return None


def _not_top(cell: Cell) -> str | None:
    if cell.context.get("top") and cell.context["both"] <= TOP:
        return (f"all {cell.context['both']:,} archs with both values (no more than the top-{TOP} "
                "by accuracy the paper used)")
    return None


def _reduced(cell: Cell) -> str | None:
    if cell.context.get("store") == "nb201_bank":
        return "our bank trains reduced networks briefly: a different population of models"
    return None


RULES = (Rule("selection", _selection), Rule("top", _not_top), Rule("reduced", _reduced))


def run(config: Config) -> Report:
    findings = _findings()
    resamples = config.seeds or DEFAULT_RESAMPLES
    sections, absent = [], []
    nb = None
    for store, about in SOURCES.items():
        try:
            b = load_store(store)
        except StudySkipped as exc:
            absent.append(str(exc).removeprefix("not available: "))
            continue
        cells, most = [], 0
        for f in findings:
            x, y = _values(b, *f.a), _values(b, *f.b)
            if x is None or y is None:
                continue
            keep = _one_per_class(b, np.flatnonzero(np.isfinite(x) & np.isfinite(y)))
            both = int(keep.size)
            most = max(most, both)
            if f.top and keep.size > TOP:
                if nb is None:
                    nb = load_store("nb201")
                acc = np.asarray(nb.values(f.a[0], "test_accuracy"), dtype=np.float64)[keep]
                keep = keep[np.argsort(-acc, kind="stable")[:TOP]]
            if keep.size < 8:
                continue
            xs, ys = x[keep], y[keep]
            value = kendall(xs, ys)
            rng = np.random.default_rng(0)
            low, high = draw_interval([kendall(xs[i], ys[i]) for i in
                                       (rng.integers(0, keep.size, keep.size) for _ in range(resamples))])
            cells.append(judge(Cell(
                f.label, "", value, low, high, published=float(f.text),
                rounding=pub.rounding_of(f.text), digits=2, n=int(keep.size),
                context={"store": store, "n": int(keep.size), "top": f.top, "both": both},
            ), RULES))
        if cells:
            sections.append(Section(f"From `{store}`: {about}", cells))
        else:
            absent.append(f"store {store} has at most {most:,} archs with both values of a "
                          "finding (8 needed)")
    if not sections:
        raise StudySkipped("not available: " + "; ".join(absent))
    protocol = (
        "Protocol: Kendall tau-b between the two named calibration columns over the archs that "
        "have both, one per isomorphism class (cross-dataset findings: the top 100 by the first dataset's `nb201` test "
        f"accuracy when more have both); interval: {resamples} bootstrap resamples of those archs. "
        "ECE = 15-bin equal-width ECE before temperature scaling unless bins or scaling are named."
    )
    if absent:
        protocol += " Not used: " + "; ".join(absent) + "."
    return STUDY.report(protocol, sections)


STUDY = Study(
    name="calibration-tao2024",
    title="Tao et al. 2024 calibration findings (Kendall tau) from the calibration tables here",
    cite="Tao et al., \"A Benchmark Study on Calibration\", ICLR 2024.",
    run=run,
    default_seeds=DEFAULT_RESAMPLES,
    needs=("calibration",),
)
