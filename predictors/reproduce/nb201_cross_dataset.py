"""NAS-Bench-201: how well does the ranking on one dataset carry over to another?

Kendall tau and Spearman rho between the 200-epoch seed-mean test accuracies of cifar10, cifar100
and ImageNet16-120, over all 15,625 cells and over the best 1,000 by cifar10 (a search cares about
the top). The reference folder holds no published numbers for these correlations, so every cell
is a computed fact (verdict ``ours``), exact (the whole table, no sampling).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from predictors.reproduce.base import Cell, Config, Report, Section, Study, judge, load_store
from predictors.reproduce.stats import corr

DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
TOP = 1000


def run(config: Config) -> Report:
    b = load_store("nb201")
    acc = {d: np.asarray(b.values(d, "test_accuracy"), dtype=np.float64) for d in DATASETS}
    top = np.argsort(-acc["cifar10"], kind="stable")[:TOP]
    sections = []
    for label, rows in (("all archs", np.arange(len(b))), (f"top {TOP:,} by cifar10", top)):
        cells = []
        for a, c in combinations(DATASETS, 2):
            x, y = acc[a][rows], acc[c][rows]
            keep = np.isfinite(x) & np.isfinite(y)
            for kind in ("kendall", "spearman"):
                cells.append(judge(Cell(f"{a} vs {c}", kind, corr(kind)(x[keep], y[keep]),
                                        n=int(keep.sum()))))
        taus = {c.row: c.ours for c in cells if c.col == "kendall"}
        hi, lo = max(taus, key=taus.get), min(taus, key=taus.get)
        findings = [
            f"Over {label} ({len(rows):,}), Kendall tau ranges from {taus[lo]:.3f} ({lo}) to "
            f"{taus[hi]:.3f} ({hi})."
        ]
        sections.append(Section(f"Rank correlation of test accuracy, {label}", cells,
                                findings=findings))
    all_tau = {c.row: c.ours for c in sections[0].cells if c.col == "kendall"}
    top_tau = {c.row: c.ours for c in sections[1].cells if c.col == "kendall"}
    drop = {k: all_tau[k] - top_tau[k] for k in all_tau}
    sections[1].findings.append(
        "Among the best archs the rankings agree less: Kendall tau falls by "
        f"{min(drop.values()):.3f} to {max(drop.values()):.3f} from the whole-table values, so a "
        "cifar10 ranking is a weaker guide near the top than the whole-space figure suggests."
        if min(drop.values()) > 0 else
        "Restricted to the best archs, Kendall tau changes by "
        f"{min(drop.values()):+.3f} to {max(drop.values()):+.3f}."
    )
    protocol = (
        "Protocol: `nb201` store, `test_accuracy` at the default budget (200 epochs) and seed "
        f"mean, per dataset; Kendall tau-b and Spearman rho over all {len(b):,} archs and over the "
        f"{TOP:,} with the highest cifar10 test accuracy. No published values in the reference "
        "folder: computed facts."
    )
    return STUDY.report(protocol, sections)


STUDY = Study(
    name="nb201-cross-dataset",
    title="NAS-Bench-201: rank correlation across cifar10, cifar100 and ImageNet16-120",
    cite="Dong & Yang, \"NAS-Bench-201\", ICLR 2020 (ranking across datasets).",
    run=run,
    needs=("nb201",),
)
