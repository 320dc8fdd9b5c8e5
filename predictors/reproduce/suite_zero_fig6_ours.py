"""NAS-Bench-Suite-Zero Figure 6, NB201 rows, from the toolkit's own proxies, beside the published
scores.

The same protocol as ``suite-zero-fig6`` (Spearman against NASLib's validation accuracy, draws of
1,000 random archs), with two sources of proxy scores on the same draws: our ``nb201_zc`` table
and Suite-Zero's exported scores (``nb201`` ``zc/*``). The draws come from the archs that have
both, so the two columns differ only by the scores.
"""

from __future__ import annotations

import numpy as np

from nasbench.vocab import zc_metric
from predictors.reproduce import own_proxies
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
from predictors.reproduce.stats import draw_interval, sample_corr

DEFAULT_DRAWS = 100
SIZE = 1000
#: published row -> nb201 dataset whose Suite-Zero scores and target it uses
ROWS = {"NB201-CF10": "cifar10"}


def _common(cell: Cell) -> str | None:
    n = cell.context.get("n")
    return f"drawn from the {n:,} archs with both our score and Suite-Zero's" if n else None


def _theirs(cell: Cell) -> str | None:
    t = cell.context.get("theirs")
    if t is None:
        return None
    mean, low, high = t
    return f"Suite-Zero's own scores on the same draws: {mean:.2f} [{low:.2f}, {high:.2f}]"


RULES = (Rule("common", _common), Rule("theirs", _theirs))


def run(config: Config) -> Report:
    zc = own_proxies.open_table()
    nb = load_store("nb201")
    ref = read_reference("suite_zero_spearman.csv")
    draws = config.seeds or DEFAULT_DRAWS
    proxies = [c for c in ref.columns if c != "benchmark"]
    sections = []
    for label, dataset in ROWS.items():
        rec = ref[ref["benchmark"] == label]
        if rec.empty:
            continue
        rec = rec.iloc[0]
        y = np.asarray(nb.values(dataset, "valid_accuracy_naslib"), dtype=np.float64)
        cells = []
        for proxy in proxies:
            found = own_proxies.column(zc, proxy)
            theirs_name = zc_metric(proxy)
            if found is None or theirs_name not in nb.metrics(dataset):
                continue
            metric, ours = found
            theirs = np.asarray(nb.values(dataset, theirs_name), dtype=np.float64)
            keep = np.flatnonzero(np.isfinite(ours) & np.isfinite(theirs) & np.isfinite(y))
            if keep.size < 50:
                continue
            size = min(SIZE, keep.size)
            v_ours = sample_corr(ours[keep], y[keep], size, draws)
            v_theirs = sample_corr(theirs[keep], y[keep], size, draws)
            low, high = draw_interval(v_ours)
            tlow, thigh = draw_interval(v_theirs)
            text = rec[proxy]
            cells.append(judge(Cell(
                label, f"{proxy} (`{metric}`)", float(np.nanmean(v_ours)), low, high,
                published=float(text), rounding=rounding_of(text), digits=2, n=len(v_ours),
                context={"n": int(keep.size),
                         "theirs": (float(np.nanmean(v_theirs)), tlow, thigh)},
            ), RULES))
        if cells:
            sections.append(Section(f"{label}: our proxies (Suite-Zero's scores in the notes)", cells))
    if not sections:
        raise StudySkipped(f"not available: {own_proxies.STORE} shares no proxy with Suite-Zero's "
                           "NB201 scores yet")
    protocol = (
        f"Protocol: Spearman rho against `valid_accuracy_naslib` on {draws} draws of "
        f"min({SIZE:,}, available) archs from those with both our score (`{own_proxies.STORE}`: "
        f"{own_proxies.describe_inputs(zc)}) and Suite-Zero's; ours = mean over draws, interval = "
        "2.5-97.5 percentiles of single draws. NB201 CIFAR-10 row only (our table has cifar10 "
        "proxies only)."
    )
    return STUDY.report(protocol, sections)


STUDY = Study(
    name="suite-zero-fig6-ours",
    title="NAS-Bench-Suite-Zero Figure 6 (NB201) from our own proxies, beside the published scores",
    cite="Krishnakumar et al., \"NAS-Bench-Suite-Zero\", NeurIPS 2022 Datasets and Benchmarks, "
    "Figure 6.",
    run=run,
    default_seeds=DEFAULT_DRAWS,
    needs=("nb201_zc", "nb201"),
)
