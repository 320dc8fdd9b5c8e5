"""Headline NB201 correlations of the strong proxies (AZ-NAS, MeCo, GradSign, ...), from our own
proxies.

Published: ``zc_proxies_nb201_all.csv`` (Kendall tau and Spearman rho of each proxy against the
200-epoch test accuracy over all 15,625 NB201 archs, mean of 5 runs, rerun with each proxy's code
by the VKDNW authors; GradSign: its paper, Spearman only) and, from the reference README, AZ-NAS's
own notebook (CIFAR-10 Kendall / Spearman) and MeCo's paper (CIFAR-10 Spearman).

Ours: the ``nb201_zc`` table against ``nb201`` ``cifar10 / test_accuracy`` (200 epochs, seed
mean). While the table is partial, correlations are over the archs computed so far, with a
bootstrap interval over them; a full table is exact.
"""

from __future__ import annotations

import numpy as np

from predictors.metrics import kendall, spearman
from predictors.reproduce import own_proxies
from predictors.reproduce import published as pub
from predictors.reproduce.base import (
    Cell,
    Config,
    Report,
    Section,
    Study,
    StudySkipped,
    judge,
    load_store,
    read_reference,
    rounding_of,
)
from predictors.reproduce.stats import draw_interval

DEFAULT_RESAMPLES = 200
KINDS = {"kendall": kendall, "spearman": spearman}
RULES = own_proxies.RULES


def _interval(x: np.ndarray, y: np.ndarray, kind: str, resamples: int, full: bool) -> tuple[float, float]:
    if full:
        return float("nan"), float("nan")
    rng = np.random.default_rng(0)
    fn = KINDS[kind]
    return draw_interval([fn(x[i], y[i]) for i in (rng.integers(0, len(x), len(x)) for _ in range(resamples))])


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
    inputs = own_proxies.describe_inputs(zc)
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
            context={"n": int(keep.sum()), "total": len(nb), "inputs": inputs},
        ), RULES))
    if not cells:
        raise StudySkipped(f"not available: {own_proxies.STORE} has none of the published proxies")
    protocol = (
        f"Protocol: our proxies (`{own_proxies.STORE}`: {inputs}) against `nb201` cifar10 "
        "`test_accuracy` (200 epochs, seed mean); Kendall tau-b and Spearman rho over the archs "
        "with both; CIFAR-10 columns of the published tables only (our table has cifar10 "
        "proxies only)."
    )
    if missing:
        protocol += f" Published proxies not in our table: {', '.join(sorted(missing))}."
    return STUDY.report(protocol, [Section("CIFAR-10: our proxies vs published correlations", cells)])


STUDY = Study(
    name="zc-headlines",
    title="AZ-NAS, MeCo, GradSign and other headline NB201 proxy correlations, from our proxies",
    cite="Lee & Ham, \"AZ-NAS\", CVPR 2024; Jiang et al., \"MeCo\", NeurIPS 2023; Zhang & Jia, "
    "\"GradSign\", ICLR 2022; VKDNW (CVPR 2025) Table 1 for the rerun values.",
    run=run,
    default_seeds=DEFAULT_RESAMPLES,
    needs=("nb201_zc", "nb201"),
)
