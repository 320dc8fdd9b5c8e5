"""NAS-Bench-Suite-Zero Tables 9/10: XGBoost on the encoding, on the 13 proxies, or on both.

Published (``suite_zero_xgb.csv``): Spearman of XGBoost trained on 100 or 1,000 archs and tested
on 1,000 disjoint archs, mean over 100 trials, target NASLib's validation accuracy.

Ours: ``predictors.evaluate`` with the same sizes and target, on the NB201 archs whose Suite-Zero
proxy scores are stored (the candidates are the archs with ``zc/synflow``), seeds ``0 .. N-1``,
NASLib's XGBoost settings (``xgb-naslib``, ``xgb-zc-naslib``, ``xgb-both-naslib``: 500 rounds,
learning rate 0.3, depth 6, standardised target). The encoding model needs no proxies, so it is
also run on all 15,625 archs: the rule that explains the encoding rows' gap checks that run. Our
own best configurations (``xgb-both-plus``, ``lgbm-both-plus``) are compared with the published
"both" and, on identical splits, with our run of the Suite-Zero model.

The ``zc`` / ``both`` rows and the encoding on all archs are expected within 0.03 of the
published mean (the agreement one can ask of a reimplementation with another XGBoost version and,
for the proxy rows, a subset of the archs); the encoding on the proxy subset is the diagnostic of
the subset effect and not expected. The verdict column says whether the published number also
lies inside our measured interval.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from nasbench.vocab import zc_metric
from predictors.evaluate import paired_difference
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
from predictors.reproduce.stats import mean_interval, mean_slack

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_SEEDS = 100
PUBLISHED_TRIALS = 100
TOLERANCE = 0.03
SIZES = (100, 1000)
TEST_SIZE = 1000
TARGET = "valid_accuracy_naslib"
#: published benchmark label -> our nb201 dataset
DATASETS = {"NB201-CF10": "cifar10", "NB201-CF100": "cifar100", "NB201-IMGNT": "ImageNet16-120"}
FEATURES = {"encoding": "xgb-naslib", "zc": "xgb-zc-naslib", "both": "xgb-both-naslib"}
ALL_ARCHS = "xgb-naslib (all archs)"
OURS = ("xgb-both-plus", "lgbm-both-plus")


def _whole_space(cell: Cell) -> str | None:
    full = cell.context.get("all_archs")
    if not full or cell.published is None:
        return None
    mean, low, high, n = full
    widen = cell.rounding + cell.slack
    if low - widen <= cell.published <= high + widen:
        return (f"the gap is the subset: the same model on all {n:,} archs gives {mean:.3f} "
                f"[{low:.3f}, {high:.3f}], around the published value")
    return None


def _subset(cell: Cell) -> str | None:
    n, total = cell.context.get("candidates"), cell.context.get("total")
    if n and total and n < total:
        return (f"train and test drawn from the {n:,} archs with stored proxy scores (the GRAF "
                f"export), not from all {total:,}")
    return None


RULES = (Rule("whole-space", _whole_space, verifies=True), Rule("subset", _subset))


def _per_seed(df: pd.DataFrame, name: str, size: int) -> np.ndarray:
    part = df[(df["predictor"] == name) & (df["train_size"] == size)].sort_values("seed")
    return part["spearman"].to_numpy(dtype=np.float64)


def _cell(label: str, col: str, values: np.ndarray, published: str | None, **kw: Any) -> Cell:
    low, high = mean_interval(values, "spearman")
    std = float(np.nanstd(values, ddof=1)) if np.isfinite(values).sum() > 1 else float("nan")
    return Cell(
        label, col, float(np.nanmean(values)), low, high,
        published=None if published is None else float(published),
        rounding=0.0 if published is None else rounding_of(published),
        slack=mean_slack(std, PUBLISHED_TRIALS) if published is not None else 0.0,
        n=int(np.isfinite(values).sum()), digits=3, **kw,
    )


def run(config: Config) -> Report:
    from predictors import evaluate as ev

    b = load_store("nb201")
    ref = read_reference("suite_zero_xgb.csv")
    published = {(r["benchmark"], int(r["train_size"]), r["features"]): r["spearman"]
                 for r in ref.to_dict("records")}
    seeds = config.seeds or DEFAULT_SEEDS
    sizes = (100,) if config.fast else SIZES
    names = [*FEATURES.values(), *(() if config.fast else OURS)]
    sections, unserved = [], []
    for label, dataset in DATASETS.items():
        if not any(k[0] == label for k in published):
            continue
        rows = (ev.candidates(b, dataset, TARGET, restrict=[zc_metric("synflow")])[0]
                if zc_metric("synflow") in b.metrics(dataset) else np.array([]))
        need = TEST_SIZE + max(sizes)
        if len(rows) < need:
            unserved.append(f"{label}: {len(rows):,} archs have stored proxy scores, fewer than "
                            f"the {need:,} that {TEST_SIZE:,} test + {max(sizes):,} train need")
            continue
        common = dict(train_sizes=sizes, test_size=TEST_SIZE, seeds=seeds, n_jobs=config.n_jobs,
                      progress=config.progress)
        df = ev.evaluate(b, dataset, TARGET, names, restrict=[zc_metric("synflow")], **common)
        full = ev.evaluate(b, dataset, TARGET, {ALL_ARCHS: FEATURES["encoding"]}, **common)
        total = int(full.attrs["candidates"])
        cells, findings = [], []
        for size in sizes:
            for feat, name in FEATURES.items():
                pub = published.get((label, size, feat))
                context = {"candidates": int(df.attrs["candidates"]), "total": total}
                if feat == "encoding":
                    whole = _per_seed(full, ALL_ARCHS, size)
                    context["all_archs"] = (float(np.nanmean(whole)),
                                            *mean_interval(whole, "spearman"), total)
                # the encoding on the proxy subset is the diagnostic of the subset effect, not
                # expected to agree; on all archs it is
                expected = pub is not None and feat != "encoding"
                cells.append(judge(_cell(label, f"train {size:,}, {feat} ({name})",
                                         _per_seed(df, name, size), pub, expected=expected,
                                         tol=TOLERANCE, context=context), RULES))
                if feat == "encoding":
                    cells.append(judge(_cell(label, f"train {size:,}, {feat} ({ALL_ARCHS})",
                                             whole, pub, expected=pub is not None, tol=TOLERANCE,
                                             context={"total": total}), RULES))
            pub_both = published.get((label, size, "both"))
            base = _per_seed(df, FEATURES["both"], size)
            for name in OURS:
                if name not in names:
                    continue
                ours = _per_seed(df, name, size)
                cells.append(judge(_cell(label, f"train {size:,}, ours ({name}) vs published both",
                                         ours, pub_both, compare=True), RULES))
                mean, low, high = paired_difference(ours, base)
                word = ("beats" if low > 0 else "is below" if high < 0 else "is level with")
                findings.append(
                    f"train {size:,}: on identical splits {name} {word} our run of "
                    f"{FEATURES['both']} by {mean:+.3f} [{low:+.3f}, {high:+.3f}] (paired over "
                    f"{len(ours)} seeds)."
                )
        sections.append(Section(
            f"{label} (nb201/{dataset}, {int(df.attrs['candidates']):,} candidate archs)", cells,
            findings=findings,
        ))
    if not sections:
        raise StudySkipped("not available: " + "; ".join(unserved))
    protocol = (
        f"Protocol: `predictors.evaluate` on `nb201`, target `{TARGET}` (NASLib's final-epoch "
        "validation accuracy, the Suite-Zero target); candidates: archs with `zc/synflow`; train "
        f"{' or '.join(f'{s:,}' for s in sizes)}, test {TEST_SIZE:,} disjoint archs, seeds "
        f"0..{seeds - 1} (the paper: {PUBLISHED_TRIALS} trials). Features: `encoding` = one-hot ops, "
        "`zc` = the 13 proxies, `both` = both; XGBoost with NASLib's settings. Ours = mean "
        "Spearman over seeds; interval = `predictors.evaluate.seed_interval` of the mean; the "
        f"published mean's own 95% uncertainty (our std / sqrt({PUBLISHED_TRIALS})) widens it "
        f"when judging. Expected within ±{TOLERANCE}: the `zc` and `both` rows and the encoding "
        "on all archs; the encoding on the proxy subset is shown as the test of the subset "
        "effect, not expected."
    )
    if unserved:
        protocol += " Not served: " + "; ".join(unserved) + "."
    return STUDY.report(protocol, sections)


STUDY = Study(
    name="suite-zero-xgb",
    title="NAS-Bench-Suite-Zero Tables 9/10 on NB201: XGBoost on encoding / proxies / both",
    cite="Krishnakumar et al., \"NAS-Bench-Suite-Zero: Accelerating Research on Zero Cost "
    "Proxies\", NeurIPS 2022 Datasets and Benchmarks, Tables 9 and 10.",
    run=run,
    default_seeds=DEFAULT_SEEDS,
    needs=("nb201",),
)
