"""Headline NB201 correlations of the strong proxies (AZ-NAS, MeCo, GradSign, ...), from our own
proxies.

Published: ``zc_proxies_nb201_all.csv`` (Kendall tau and Spearman rho of each proxy against the
200-epoch test accuracy over all 15,625 NB201 archs, mean of 5 runs, rerun with each proxy's code
by the VKDNW authors; GradSign: its paper, Spearman only) and, from the reference README, AZ-NAS's
own notebook (CIFAR-10 Kendall / Spearman) and MeCo's paper (CIFAR-10 Spearman).

Ours: the ``nb201_zc`` table against ``nb201`` ``cifar10 / test_accuracy`` (200 epochs, seed
mean). Correlations are over the archs where the proxy is finite: while the table is partial
those computed so far, in a complete table all but the archs where the proxy is undefined (cells
whose output ignores the input); a bootstrap interval over them, exact where every arch counts.
A gap is **explained** when NAS-Bench-Suite-Zero's own scores of the archs it covers (``nb201``
``cifar10`` ``zc/*``) miss the published value as well and ours do not differ from them there
(paired bootstrap interval of the difference contains 0).

A second section puts the training-free combination (``predictors.combine``: AZ-NAS's log-rank
sum of ``STRONG``, no label read) beside the best published training-free number (VKDNW_agg)
and beside our best single proxy (the difference, with a paired bootstrap interval), and lists
every other combination measured, so the default set can be judged against them.
"""

from __future__ import annotations

import numpy as np

from nasbench.vocab import zc_metric
from predictors.combine import STRONG, rank_combination
from predictors.metrics import kendall, spearman
from predictors.reproduce import own_proxies
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
    read_reference,
    rounding_of,
)
from predictors.reproduce.stats import bootstrap_corr_gap, draw_interval

DEFAULT_RESAMPLES = 200
KINDS = {"kendall": kendall, "spearman": spearman}


def _suite_zero(cell: Cell) -> str | None:
    """Explained when NAS-Bench-Suite-Zero's own scores of the archs it covers miss the published
    value as well and ours do not differ from them there (paired interval contains 0)."""
    found = cell.context.get("suite_zero")
    if found is None or cell.published is None:
        return None
    n, ours, theirs, low, high, gap_low, gap_high = found
    if low - cell.rounding <= cell.published <= high + cell.rounding or not gap_low <= 0 <= gap_high:
        return None
    return (f"NAS-Bench-Suite-Zero's own scores of the {n:,} archs it covers (`nb201` `cifar10` "
            f"`zc/*`) give {theirs:.3f} [{low:.3f}, {high:.3f}], also away from the published "
            f"value, and ours do not differ from them there ({ours:.3f}; ours - theirs "
            f"[{gap_low:+.3f}, {gap_high:+.3f}]): two implementations agree on a value the "
            "published one does not give")


RULES = (*own_proxies.RULES, Rule("suite_zero", _suite_zero, verifies=True))
#: the published training-free aggregate the combination is set against (``zc_proxies_nb201_all``)
BEST_PUBLISHED_AGGREGATE = "vkdnw_agg"
_AZ = STRONG[:4]
#: every combination measured (the default first); label -> proxies
COMBINATIONS = {
    "STRONG (default)": STRONG,
    "AZ-NAS components": _AZ,
    "AZ-NAS + MeCo": _AZ + ("meco",),
    "AZ-NAS + ZiCo": _AZ + ("zico",),
    "AZ-NAS + GradSign": _AZ + ("gradsign",),
    "AZ-NAS + MeCo + ZiCo": _AZ + ("meco", "zico"),
    "AZ-NAS + jacov": _AZ + ("jacov",),
    "MeCo + ZiCo + jacov + nwot + flops": ("meco", "zico", "jacov", "nwot", "flops"),
    "every proxy column of the table": None,
}


def _interval(x: np.ndarray, y: np.ndarray, kind: str, resamples: int, full: bool) -> tuple[float, float]:
    if full:
        return float("nan"), float("nan")
    rng = np.random.default_rng(0)
    fn = KINDS[kind]
    return draw_interval([fn(x[i], y[i]) for i in (rng.integers(0, len(x), len(x)) for _ in range(resamples))])


def suite_zero_scores(nb: object, proxy: str, x: np.ndarray, y: np.ndarray, kind: str,
                      resamples: int) -> tuple | None:
    """``(archs, ours, theirs, theirs' low, high, gap low, gap high)``: ``kind`` correlation of
    our scores and of NAS-Bench-Suite-Zero's (``nb201`` ``cifar10`` ``zc/<proxy>``) with ``y``
    over the archs both cover, with bootstrap intervals (theirs; ours - theirs, paired), or None
    where Suite-Zero has no score of this proxy."""
    shared = own_proxies.shared_with(nb, "cifar10", zc_metric(proxy), x, y)
    if shared is None:
        return None
    a, b, t = shared
    fn = KINDS[kind]
    low, high = _interval(b, t, kind, resamples, False)
    _, gap_low, gap_high = bootstrap_corr_gap(a, b, t, resamples, kind=kind)
    return len(a), fn(a, t), fn(b, t), low, high, gap_low, gap_high


def _first_hand() -> list[tuple[str, str, str, str]]:
    """(proxy, kind, value text, source) from the README's other first-hand values."""
    text = pub.section("zc_proxies_nb201_all.csv")
    out = []
    m = pub.find(r"AZ-NAS's\s+own\s+notebook\s+gives\s+Kendall\s+(\d\.\d+)\s*/\s*Spearman\s+(\d\.\d+)", text)
    out += [("az_nas", "kendall", m.group(1), "AZ-NAS notebook"),
            ("az_nas", "spearman", m.group(2), "AZ-NAS notebook")]
    m = pub.find(r"MeCo's\s+paper\s+Spearman\s+(\d\.\d+)", text)
    out.append(("meco", "spearman", m.group(1), "MeCo paper"))
    return out


def run(config: Config) -> Report:
    zc = own_proxies.open_table()
    nb = load_store("nb201")
    ref = read_reference("zc_proxies_nb201_all.csv")
    resamples = config.seeds or DEFAULT_RESAMPLES
    y = np.asarray(nb.values("cifar10", "test_accuracy", budget=200), dtype=np.float64)
    table = own_proxies.table_context(zc, len(nb))
    published = [(r["proxy"], k, r[f"cifar10_{k}"], f"VKDNW table ({r['type']})")
                 for r in ref.to_dict("records") for k in KINDS if r.get(f"cifar10_{k}", "")]
    published += _first_hand()
    cells, missing = [], set()
    for proxy, kind, text, source in published:
        found = own_proxies.column(zc, proxy)
        if found is None:
            missing.add(proxy)
            continue
        metric, x = found
        keep = np.isfinite(x) & np.isfinite(y)
        if keep.sum() < 10:
            missing.add(proxy)
            continue
        value = KINDS[kind](x[keep], y[keep])
        low, high = _interval(x[keep], y[keep], kind, resamples, keep.sum() == len(nb))
        cells.append(judge(Cell(
            f"{proxy} (`{metric}`)", f"{kind}, {source}", value, low, high,
            published=float(text), rounding=rounding_of(text), digits=3,
            context={**table, "n": int(keep.sum()), "metrics": [metric],
                     "suite_zero": suite_zero_scores(nb, proxy, x, y, kind, resamples)},
        ), RULES))
    if not cells:
        raise StudySkipped(f"not available: {own_proxies.STORE} has none of the published proxies")
    sections = [Section("CIFAR-10: our proxies vs published correlations", cells)]
    combo = _combination_section(zc, y, ref, resamples, table)
    if combo is not None:
        sections.append(combo)
    protocol = (
        f"Protocol: our proxies (`{own_proxies.STORE}`: {table['inputs']}) against `nb201` cifar10 "
        "`test_accuracy` (200 epochs, seed mean); Kendall tau-b and Spearman rho over the archs "
        "with both; CIFAR-10 columns of the published tables only (our table has cifar10 "
        "proxies only)."
    )
    if missing:
        protocol += f" Published proxies not in our table: {', '.join(sorted(missing))}."
    return STUDY.report(protocol, sections)


def _columns(zc, names) -> dict[str, np.ndarray] | None:
    """proxy -> values for ``names`` (None: every single-proxy column), or None if one is missing."""
    from nasbench.vocab import is_zc_metric

    if names is None:
        names = [m.split("/", 1)[1] for m in zc.metrics(own_proxies.DATASET)
                 if is_zc_metric(m) and m != "zc/az_nas"]
    out = {}
    for name in names:
        found = own_proxies.column(zc, name)
        if found is None:
            return None
        out[name] = found[1]
    return out


def _gap(fn, combined: np.ndarray, single: np.ndarray, y: np.ndarray, i: np.ndarray) -> float:
    """``fn(combined, y) - fn(single, y)`` over the archs ``i`` where ``single`` has a value."""
    i = i[np.isfinite(single[i])]
    return fn(combined[i], y[i]) - fn(single[i], y[i])


def _combination_section(zc, y: np.ndarray, ref, resamples: int, table: dict) -> Section | None:
    """The training-free combination against VKDNW_agg and against our best single proxy
    (``table``: ``own_proxies.table_context``)."""
    strong = _columns(zc, STRONG)
    if strong is None:
        return None
    # the population is the log-rank sum's own: archs with any of the columns (a NaN among them,
    # e.g. AZ-NAS's -inf trainability of an identity cell, ranks lowest, as AZ-NAS does); archs
    # not scored yet, or whose output ignores the input, have none
    # ... and archs still waiting for a per-cell column (MeCo being filled in) are left out: a NaN
    # there is not an undefined value, and would rank them lowest
    scored = (np.isfinite(rank_combination(strong)) & np.isfinite(y)
              & ~own_proxies.unfinished(zc))
    if scored.sum() < 10:
        return None
    yy = y[scored]
    total = table["total"]
    full = bool(scored.sum() == total)
    combined = rank_combination({k: v[scored] for k, v in strong.items()})
    singles = {k: v[scored] for k, v in (_columns(zc, None) or {}).items() if "." not in k}
    cells: list[Cell] = []
    context = {**table, "n": int(scored.sum()), "metrics": [zc_metric(p) for p in STRONG]}
    pub_row = ref[ref["proxy"] == BEST_PUBLISHED_AGGREGATE]
    rng = np.random.default_rng(0)
    draws = [rng.integers(0, len(yy), len(yy)) for _ in range(0 if full else resamples)]
    for kind, fn in KINDS.items():
        value = fn(combined, yy)
        text = pub_row[f"cifar10_{kind}"].iloc[0] if len(pub_row) else ""
        low, high = _interval(combined, yy, kind, resamples, full)
        if text:
            cells.append(judge(Cell(
                f"zc-agg (`predictors.combine.STRONG`, {len(STRONG)} columns)",
                f"{kind}, vs {BEST_PUBLISHED_AGGREGATE}",
                value, low, high, published=float(text), rounding=rounding_of(text), compare=True,
                context=context), RULES))
        everyone = np.arange(len(yy))
        alone = {}
        for k, v in singles.items():
            ok = np.isfinite(v)
            alone[k] = fn(v[ok], yy[ok])
        best = max(alone, key=alone.__getitem__)
        diff = _gap(fn, combined, singles[best], yy, everyone)
        low, high = (float("nan"), float("nan")) if full else draw_interval(
            [_gap(fn, combined, singles[best], yy, i) for i in draws])
        cells.append(judge(Cell(
            f"zc-agg minus our best single proxy ({best})", f"{kind}, difference",
            diff, low, high, published=0.0, compare=True, context=context), RULES))
    rows = [["combination", "columns", "spearman", "kendall"]]
    measured = []
    for label, names in COMBINATIONS.items():
        cols = _columns(zc, names)
        if cols is None:
            continue
        score = rank_combination({k: v[scored] for k, v in cols.items()})
        rho, tau = spearman(score, yy), kendall(score, yy)
        measured.append((label, rho, tau))
        rows.append([label, str(len(cols)), f"{rho:.3f}", f"{tau:.3f}"])
    ranked = sorted(measured, key=lambda t: -t[1])
    (first, first_rho, _), (second, second_rho, _) = ranked[0], ranked[1]
    default, default_rho, _ = measured[0]
    if first == default:
        finding = (f"Over {int(scored.sum()):,} archs, the default set gives Spearman "
                   f"{default_rho:.3f}, the highest of the {len(measured)} sets measured (next: "
                   f"{second}, {second_rho:.3f}).")
    else:
        finding = (f"Over {int(scored.sum()):,} archs, the default set gives Spearman "
                   f"{default_rho:.3f}; {first} gives more ({first_rho:.3f}), the highest of the "
                   f"{len(measured)} sets measured.")
    return Section(
        "Training-free combination (no labels): AZ-NAS's log-rank sum of several proxies",
        cells, table=rows, findings=[finding],
        about="`zc-agg` ranks each arch by sum_k log(rank_k / n) over the population scored, "
              f"for the {len(STRONG)} columns of `predictors.combine.STRONG` ({', '.join(STRONG)}); "
              "no accuracy is read. The table lists every "
              "combination measured, the default first.",
    )


STUDY = Study(
    name="zc-headlines",
    title="AZ-NAS, MeCo, GradSign and other headline NB201 proxy correlations, from our proxies",
    cite="Lee & Ham, \"AZ-NAS\", CVPR 2024; Jiang et al., \"MeCo\", NeurIPS 2023; Zhang & Jia, "
    "\"GradSign\", ICLR 2022; VKDNW (CVPR 2025) Table 1 for the rerun values.",
    run=run,
    default_seeds=DEFAULT_RESAMPLES,
    needs=("nb201_zc", "nb201"),
)
