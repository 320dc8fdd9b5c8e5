"""NAS-Bench-Graph: size, best test accuracy per dataset, and how rankings transfer across datasets.

Published (reference README, "NAS-Bench-Graph"): 26,206 architectures per dataset (proteins 2,021),
the best test accuracy of the light tables per dataset (as a fraction, 3 decimals). The paper's
cross-dataset rank-correlation figure has no numbers in the reference folder: our Kendall matrix is
reported as computed facts.
"""

from __future__ import annotations

import re

import numpy as np

from predictors.reproduce import published as pub
from predictors.reproduce.base import Cell, Config, Report, Rule, Section, Study, judge, load_store
from predictors.reproduce.matrix import matrix_section


def _best_arch(cell: Cell) -> str | None:
    arch = cell.context.get("arch")
    return f"best arch {arch}" if arch else None


def _coverage(cell: Cell) -> str | None:
    n, total = cell.context.get("measured"), cell.context.get("total")
    if n is not None and total is not None and n < total:
        return f"measured for {n:,} of the {total:,} archs in the store"
    return None


RULES = (Rule("best-arch", _best_arch), Rule("coverage", _coverage))


def run(config: Config) -> Report:
    b = load_store("nbgraph")
    text = pub.section("NAS-Bench-Graph")
    size = pub.find(r"([\d,]+)\s+unique\s+GNN\s+architectures\s+per\s+dataset\s+\((\w+)\s+([\d,]+)", text)
    best_text = pub.find(r"(?s)Best\s+test\s+accuracy\s+in\s+the\s+light\s+tables:(.*?)\.\s*(?:\n\n|$)",
                         text).group(1)
    best = {m.group(1): m.group(2) for m in re.finditer(r"(\w+)\s+(\d+\.\d+)", best_text)}
    acc = {d: np.asarray(b.values(d, "test_accuracy"), dtype=np.float64) for d in b.datasets}
    measured = {d: int(np.isfinite(v).sum()) for d, v in acc.items()}
    size_cells = [
        Cell("archs per dataset", "", float(max(measured.values())),
             published=pub.number(size.group(1)).value, expected=True, tol=0.0, digits=0),
        Cell(f"archs of {size.group(2)}", "", float(measured.get(size.group(2), 0)),
             published=pub.number(size.group(3)).value, expected=True, tol=0.0, digits=0),
    ]
    best_cells = []
    for d, t in best.items():
        if d not in acc:
            continue
        v = acc[d] / 100.0  # the store keeps %, the paper fractions
        i = int(np.nanargmax(v))
        p = pub.Published(float(t), t)
        best_cells.append(
            Cell(d, "best test accuracy", float(v[i]), published=p.value, rounding=p.rounding,
                 expected=True, tol=p.rounding, digits=3,
                 context={"arch": b.archs[i], "measured": measured[d], "total": len(b)})
        )
    for c in (*size_cells, *best_cells):
        judge(c, RULES)
    names = [d for d in best if d in acc] + [d for d in acc if d not in best]
    matrix = matrix_section("Cross-dataset rank correlation (Kendall tau of test accuracy)",
                            {d: acc[d] for d in names})
    sections = [
        Section("Size", size_cells),
        Section("Best test accuracy per dataset (fraction)", best_cells),
        matrix,
    ]
    protocol = (
        f"Protocol: `nbgraph` store ({len(b):,} archs), `test_accuracy` (mean over the authors' "
        "seeds, light tables) per dataset; best value per dataset; Kendall tau-b between every "
        "pair of datasets over the archs measured on both. Exact: whole tables."
    )
    return STUDY.report(protocol, sections)


STUDY = Study(
    name="nbgraph",
    title="NAS-Bench-Graph: best accuracies and cross-dataset rank correlation",
    cite="Qin et al., \"NAS-Bench-Graph: Benchmarking Graph Neural Architecture Search\", "
    "NeurIPS 2022 Datasets and Benchmarks.",
    run=run,
    needs=("nbgraph",),
)
