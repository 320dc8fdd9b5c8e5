"""NAS-Bench-Suite-Zero Figure 6, CIFAR-10 rows of NB201 and NB301, from the toolkit's own proxies,
beside the published scores.

The same protocol as ``suite-zero-fig6`` (Spearman against the validation accuracy Suite-Zero
used, on draws of 1,000 random archs; where fewer archs have both scores, as NB301's 500, the
Spearman over all of them with a bootstrap interval), with two sources of proxy scores on the same
archs: our table (``nb201_zc``, ``nb301_zc``) and Suite-Zero's exported scores (``zc/*`` of the
``nb201`` / ``nb301`` store). Archs are matched by key, and only those with both scores count, so
the two columns differ only by the scores; a proxy whose scores the published store lacks (NB301:
params, flops, zen, nwot) is compared with the published number on the archs with our score.
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
from predictors.reproduce.stats import spearman_summary

DEFAULT_DRAWS = 100
SIZE = 1000
#: published row -> (our proxy table, the store with Suite-Zero's scores and the target, its
#: dataset, the target metric: the one ``suite-zero-fig6`` reads for that row)
ROWS = {
    "NB201-CF10": ("nb201_zc", "nb201", "cifar10", "valid_accuracy_naslib"),
    "NB301-CF10": ("nb301_zc", "nb301", "cifar10", "valid_accuracy"),
}


def _common(cell: Cell) -> str | None:
    n = cell.context.get("n")
    if not n:
        return None
    which = ("both our score and Suite-Zero's" if cell.context.get("theirs") is not None
             else "our score (Suite-Zero's store has no score of this proxy here)")
    return f"{'drawn from' if n > SIZE else 'over all'} the {n:,} archs with {which}"


def _theirs(cell: Cell) -> str | None:
    t = cell.context.get("theirs")
    if t is None:
        return None
    mean, low, high = t
    return f"Suite-Zero's own scores on the same archs: {mean:.2f} [{low:.2f}, {high:.2f}]"


RULES = (Rule("common", _common), Rule("theirs", _theirs))


def run(config: Config) -> Report:
    ref = read_reference("suite_zero_spearman.csv")
    draws = config.seeds or DEFAULT_DRAWS
    proxies = [c for c in ref.columns if c != "benchmark"]
    sections, tables, skipped = [], [], []
    for label, (table, store, dataset, target) in ROWS.items():
        rec = ref[ref["benchmark"] == label]
        if rec.empty:
            continue
        rec = rec.iloc[0]
        try:
            zc = own_proxies.open_table(table)
        except StudySkipped as exc:
            skipped.append(str(exc).removeprefix("not available: "))
            continue
        nb = load_store(store)
        rows = nb.rows(zc.archs)  # our table's archs, in its order, as rows of the published store
        y = np.asarray(nb.values(dataset, target), dtype=np.float64)[rows]
        cells = []
        for proxy in proxies:
            found = own_proxies.column(zc, proxy)
            if found is None:
                continue
            metric, ours = found
            theirs_name = zc_metric(proxy)
            theirs = (np.asarray(nb.values(dataset, theirs_name), dtype=np.float64)[rows]
                      if theirs_name in nb.metrics(dataset) else None)
            ok = np.isfinite(ours) & np.isfinite(y)
            keep = np.flatnonzero(ok if theirs is None else ok & np.isfinite(theirs))
            if keep.size < 50:
                continue
            mean, low, high, n = spearman_summary(ours[keep], y[keep], SIZE, draws)
            context: dict = {"n": int(keep.size), "theirs": None}
            if theirs is not None:
                context["theirs"] = spearman_summary(theirs[keep], y[keep], SIZE, draws)[:3]
            text = rec[proxy]
            cells.append(judge(Cell(
                label, f"{proxy} (`{metric}`)", mean, low, high,
                published=float(text), rounding=rounding_of(text), digits=2, n=n,
                context=context,
            ), RULES))
        if cells:
            sections.append(Section(f"{label}: our proxies (Suite-Zero's scores in the notes)", cells))
            tables.append(f"`{table}` against `{store}` / `{dataset}` / `{target}` "
                          f"({own_proxies.describe_inputs(zc)})")
    if not sections:
        raise StudySkipped("not available: " + ("; ".join(skipped) or "no proxy table of ours "
                           "shares a proxy with Suite-Zero's scores yet"))
    protocol = (
        f"Protocol: Spearman rho against the target on {draws} draws of {SIZE:,} archs from "
        "those with both our score and Suite-Zero's (ours = mean over draws, interval = 2.5-97.5 "
        f"percentiles of single draws); with no more than {SIZE:,} such archs, rho over all of "
        f"them and a bootstrap interval ({draws} resamples). Rows: " + "; ".join(tables)
        + ". CIFAR-10 rows only (our tables have CIFAR-10 proxies only)."
    )
    return STUDY.report(protocol, sections)


STUDY = Study(
    name="suite-zero-fig6-ours",
    title="NAS-Bench-Suite-Zero Figure 6 (NB201, NB301) from our own proxies, beside the "
    "published scores",
    cite="Krishnakumar et al., \"NAS-Bench-Suite-Zero\", NeurIPS 2022 Datasets and Benchmarks, "
    "Figure 6.",
    run=run,
    default_seeds=DEFAULT_DRAWS,
    needs=("nb201_zc", "nb201", "nb301_zc", "nb301"),
)
