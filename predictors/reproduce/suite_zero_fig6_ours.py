"""NAS-Bench-Suite-Zero Figure 6, CIFAR-10 rows of NB201 and NB301, from the toolkit's own proxies,
beside the published scores.

The same protocol as ``suite-zero-fig6`` (Spearman against the validation accuracy Suite-Zero
used, on draws of 1,000 random archs; where fewer archs have both scores, as NB301's 500, the
Spearman over all of them with a bootstrap interval), with two sources of proxy scores on the same
archs: our table (``nb201_zc``, ``nb301_zc``) and Suite-Zero's exported scores (``zc/*`` of the
``nb201`` / ``nb301`` store). Archs are matched by key, and only those with both scores count, so
the two columns differ only by the scores; a proxy whose scores the published store lacks (NB301:
params, flops, zen, nwot) is compared with the published number on the archs with our score.

A gap is **explained** when Suite-Zero's own scores miss the published value as well and ours do
not differ from theirs on the same draws (the gap is the figure's, not our computation's), when
our scores equal the benchmark's own published column of the quantity (``flops``, ``params``)
and Suite-Zero's do not, or when both scores are the number of convolutions to within init noise
(NB201's ``l2_norm``) and the published value is that count with its ties broken at random,
or when the table's seed study (``own_proxies.SEED_STUDIES``: the same archs scored under other
seeds, each another init and image batch) moves our Spearman by as much as the gap.
"""

from __future__ import annotations

import warnings

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
from predictors.reproduce.stats import (
    bootstrap_corr_gap,
    draw_interval,
    sample_corr,
    spearman_summary,
)

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


def _theirs_miss_it_too(cell: Cell) -> str | None:
    """Explained when Suite-Zero's own scores of the same archs miss the published value as well
    and ours do not differ from theirs (the paired interval of ours - theirs contains 0)."""
    t, paired = cell.context.get("theirs"), cell.context.get("paired")
    if t is None or paired is None or cell.published is None:
        return None
    _, low, high = t
    widen = cell.rounding
    if low - widen <= cell.published <= high + widen or not paired[0] <= 0 <= paired[1]:
        return None
    return (f"Suite-Zero's own scores miss the published value too, and ours do not differ from "
            f"theirs (ours - theirs [{paired[0]:+.2f}, {paired[1]:+.2f}] on the same draws): the "
            "gap is between the published figure and Suite-Zero's exported scores")


def _official(cell: Cell) -> str | None:
    """Explained when our scores equal the benchmark's own published column of that quantity
    (``flops``, ``params``) on every arch and Suite-Zero's do not."""
    found = cell.context.get("official")
    if found is None:
        return None
    name, n, ours_rel, theirs_rel = found
    if ours_rel > 1e-6 or not theirs_rel > 1e-3:
        return None
    return (f"our scores equal the benchmark's own published `{name}` on all {n:,} archs (largest "
            f"relative difference {ours_rel:.1e}); Suite-Zero's differ from it by up to "
            f"{100 * theirs_rel:.0f} %")


def _ties(cell: Cell) -> str | None:
    """Explained when ours and Suite-Zero's scores are both an affine function of the cell's
    number of convolutions (R^2 >= ``TIE_R2``; the rest is init noise), and that count with its
    ties broken at random ranks the target as the published value does (inside its interval):
    then the number depends on how the noise orders archs with equal counts, which
    ``within`` measures (the range of the residual's Spearman with the target over the counts)."""
    ties, published = cell.context.get("ties"), cell.published
    if ties is None or published is None or min(ties["r2"]) < TIE_R2:
        return None
    mean, low, high = ties["random"]
    if not low - cell.rounding <= published <= high + cell.rounding:
        return None
    ours_r2, theirs_r2 = ties["r2"]
    (ours_lo, ours_hi), (theirs_lo, theirs_hi) = ties["within"]
    return (f"our scores and Suite-Zero's are the number of convolutions to R^2 {ours_r2:.5f} "
            f"and {theirs_r2:.5f} (the rest is init noise), so the ranking is that count with "
            f"its ties broken by the noise: broken at random it gives {mean:.2f} [{low:.2f}, "
            f"{high:.2f}], which holds the published value; inside a count, Suite-Zero's noise "
            f"ranks the target at {theirs_lo:+.2f} to {theirs_hi:+.2f} (Spearman, over the "
            f"counts) and ours at {ours_lo:+.2f} to {ours_hi:+.2f} (ours: the same seed-0 init "
            "for every cell)")


def _seeds(cell: Cell) -> str | None:
    """Our Spearman on the seed study's archs under each seed (a note wherever the study has the
    proxy)."""
    s = cell.context.get("seeds")
    if s is None:
        return None
    rho = ", ".join(f"{r:+.2f}" for r in s["rho"].values())
    return (f"our scores under seeds {_seed_list(s['rho'])} (each another init and image batch) "
            f"rank the target at {rho} on {s['n']} of these archs (`{s['folder']}`)")


def _seed_spread(cell: Cell) -> str | None:
    """Explained when moving ours by the seed study's spread (each seed's Spearman minus seed 0's,
    on the same archs, at least ``MIN_SEEDS`` other seeds) reaches the published value."""
    s = cell.context.get("seeds")
    if s is None or cell.published is None or len(s["rho"]) < MIN_SEEDS + 1:
        return None
    shifts = [r - s["rho"][0] for r in s["rho"].values()]
    low, high = cell.ours + min(shifts), cell.ours + max(shifts)
    if not low - cell.rounding <= cell.published <= high + cell.rounding:
        return None
    return (f"the seeds move our Spearman on those archs by {min(shifts):+.2f} to "
            f"{max(shifts):+.2f} from seed 0's; moved so, ours spans [{low:.2f}, {high:.2f}], "
            "which holds the published value: the gap is within the proxy's seed-to-seed spread")


def _seed_list(rho: dict[int, float]) -> str:
    keys = sorted(rho)
    consecutive = keys == list(range(keys[0], keys[0] + len(keys)))
    return f"{keys[0]}-{keys[-1]}" if consecutive and len(keys) > 2 else ", ".join(map(str, keys))


RULES = (Rule("common", _common), Rule("theirs", _theirs), Rule("seeds", _seeds),
         Rule("theirs_miss_it_too", _theirs_miss_it_too, verifies=True),
         Rule("official", _official, verifies=True), Rule("ties", _ties, verifies=True),
         Rule("seed_spread", _seed_spread, verifies=True))

#: other seeds a seed study needs before ``_seed_spread`` reads its spread
MIN_SEEDS = 3

#: how much of a proxy's variance the convolution count must explain for ``_ties``
TIE_R2 = 0.999


def conv_count(archs: list[str]) -> np.ndarray:
    """Convolutions named in each arch string (``nor_conv_3x3``, ``sep_conv_5x5``, ...)."""
    return np.array([str(a).count("conv") for a in archs], dtype=np.float64)


def tie_context(count: np.ndarray, ours: np.ndarray, theirs: np.ndarray, y: np.ndarray,
                draws: int) -> dict | None:
    """``_ties``' context: ``r2`` (ours, theirs) of an affine fit on ``count``; ``random``: the
    :func:`spearman_summary` of ``count`` with ties broken by a seeded uniform draw smaller than
    its steps; ``within``: for ours and theirs, the (lowest, highest) Spearman of the fit's
    residual with ``y`` inside a count, over the counts with at least 10 archs. ``random`` and
    ``within`` only where both fits reach ``TIE_R2`` (``_ties`` reads them only there); None where
    ``count`` takes fewer than 3 values.

    Shapes:
        count, ours, theirs, y: (n,) finite, the same archs
    """
    from scipy.stats import ConstantInputWarning, spearmanr

    levels = np.unique(count)
    if levels.size < 3:
        return None
    design = np.c_[count, np.ones_like(count)]

    def residual(v: np.ndarray) -> tuple[float, np.ndarray]:
        r = v - design @ np.linalg.lstsq(design, v, rcond=None)[0]
        return float(1 - r.var() / v.var()), r

    def within(r: np.ndarray) -> tuple[float, float]:
        # a residual constant inside a count (a proxy the count fixes) has no rho: NaN, skipped
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConstantInputWarning)
            rhos = [spearmanr(r[count == k], y[count == k]).statistic for k in levels
                    if (count == k).sum() >= 10]
        return float(np.nanmin(rhos)), float(np.nanmax(rhos))

    (r2_ours, res_ours), (r2_theirs, res_theirs) = residual(ours), residual(theirs)
    if min(r2_ours, r2_theirs) < TIE_R2:
        return {"r2": (r2_ours, r2_theirs)}
    jitter = np.random.default_rng(0).uniform(0, 0.5, count.size)  # steps of a count are >= 1
    return {"r2": (r2_ours, r2_theirs),
            "random": spearman_summary(count + jitter, y, SIZE, draws)[:3],
            "within": (within(res_ours), within(res_theirs))}


def official_gap(nb: object, dataset: str, proxy: str, ours: np.ndarray, theirs: np.ndarray,
                 rows: np.ndarray) -> tuple[str, int, float, float] | None:
    """``(name, archs, largest relative difference of ours, of theirs)`` from the benchmark's own
    published column named like the proxy (``flops``, ``params``), or None where it has none."""
    if proxy not in nb.metrics(dataset):
        return None
    ref = np.asarray(nb.values(dataset, proxy), dtype=np.float64)[rows]

    def largest(v: np.ndarray) -> float:
        ok = np.isfinite(v) & np.isfinite(ref) & (ref != 0)
        return float(np.max(np.abs(v[ok] - ref[ok]) / np.abs(ref[ok]))) if ok.any() else np.nan

    ok = np.isfinite(ours) & np.isfinite(ref)
    return proxy, int(ok.sum()), largest(ours), largest(theirs)


def paired_gap(ours: np.ndarray, theirs: np.ndarray, y: np.ndarray, draws: int
               ) -> tuple[float, float]:
    """95% interval of Spearman(ours, y) - Spearman(theirs, y) with both on the same archs in
    every draw: the same subsets of ``SIZE`` as :func:`spearman_summary` (seeds 0..draws-1), or
    with no more than ``SIZE`` archs the same bootstrap resamples.

    Shapes:
        ours, theirs, y: (n,) finite
    """
    if len(ours) > SIZE:
        return draw_interval(sample_corr(ours, y, SIZE, draws) - sample_corr(theirs, y, SIZE, draws))
    return bootstrap_corr_gap(ours, theirs, y, draws)[1:]


def seed_context(seeds: dict[int, dict[str, float]], archs: list[str], keep: np.ndarray,
                 ours: np.ndarray, y: np.ndarray, folder: str = "") -> dict | None:
    """``_seeds``' context: ``rho`` (seed -> Spearman with ``y``; seed 0 = ``ours``, the table),
    ``n`` and the study's ``folder`` (for the note), over the archs of the seed study that are in
    ``keep`` and scored under every seed; None where fewer than 30 are.

    Shapes:
        ours, y: (len(archs),); keep: indices into them
    """
    from scipy.stats import spearmanr

    kept = set(keep.tolist())
    pos = {a: i for i, a in enumerate(archs)}
    common = [a for a in set.intersection(*(set(v) for v in seeds.values()))
              if pos.get(a) in kept and all(np.isfinite(v[a]) for v in seeds.values())]
    if len(common) < 30:
        return None
    common.sort(key=pos.__getitem__)
    at = np.array([pos[a] for a in common])
    rho = {0: float(spearmanr(ours[at], y[at]).statistic)}
    for k in sorted(seeds):
        rho[k] = float(spearmanr([seeds[k][a] for a in common], y[at]).statistic)
    return {"rho": rho, "n": len(common), "folder": folder}


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
        seed_runs = own_proxies.seed_runs(table)
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
                context["paired"] = paired_gap(ours[keep], theirs[keep], y[keep], draws)
                context["official"] = official_gap(nb, dataset, proxy, ours, theirs, rows)
                context["ties"] = tie_context(conv_count([zc.archs[i] for i in keep]),
                                              ours[keep], theirs[keep], y[keep], draws)
            seeds = own_proxies.seed_scores(seed_runs, proxy)
            if seeds:
                context["seeds"] = seed_context(
                    seeds, zc.archs, keep, ours, y,
                    folder=f"data/zc_seeds/{own_proxies.SEED_STUDIES[table]}")
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
