"""A correlation matrix between the columns of one table, as a report section."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from predictors.reproduce.base import Section
from predictors.reproduce.stats import corr

__all__ = ["corr_matrix", "matrix_section"]


def corr_matrix(values: dict[str, np.ndarray], kind: str = "kendall") -> tuple[np.ndarray, dict]:
    """Pairwise correlation of the named vectors over the rows finite in both.

    Shapes:
        values: name -> (n,) -> ((k, k) matrix in the dict's order, {(a, b): rows used})
    """
    fn = corr(kind)
    names = list(values)
    m = np.eye(len(names))
    used = {}
    for (i, a), (j, b) in combinations(enumerate(names), 2):
        keep = np.isfinite(values[a]) & np.isfinite(values[b])
        m[i, j] = m[j, i] = fn(values[a][keep], values[b][keep])
        used[a, b] = int(keep.sum())
    return m, used


def matrix_section(title: str, values: dict[str, np.ndarray], kind: str = "kendall",
                   about: str = "") -> Section:
    """The matrix as a table, with findings generated from it: the most and least similar pair,
    the column that agrees least with the others, and how many rows pairs used."""
    names = list(values)
    m, used = corr_matrix(values, kind)
    table = [[kind.capitalize(), *names]]
    for i, a in enumerate(names):
        table.append([a, *(f"{m[i, j]:.2f}" for j in range(len(names)))])
    off = [(m[i, j], names[i], names[j]) for i, j in combinations(range(len(names)), 2)]
    hi, lo = max(off), min(off)
    mean_per = {a: float(np.mean([m[i, j] for j in range(len(names)) if j != i]))
                for i, a in enumerate(names)}
    odd = min(mean_per, key=mean_per.get)
    findings = [
        f"Most similar: {hi[1]} and {hi[2]} ({kind} {hi[0]:.2f}); least: {lo[1]} and {lo[2]} "
        f"({kind} {lo[0]:.2f}).",
        f"{odd} agrees least with the others (mean {kind} {mean_per[odd]:.2f}; median over "
        f"columns {np.median(list(mean_per.values())):.2f}).",
    ]
    full = max(used.values())
    short = {k: n for k, n in used.items() if n < full}
    if short:
        findings.append(
            f"{len(short)} of {len(used)} pairs use fewer rows than the {full:,} of the others "
            f"(as few as {min(short.values()):,}: the rows measured in both)."
        )
    return Section(title, table=table, findings=findings, about=about)
