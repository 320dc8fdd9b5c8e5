"""NAS-Bench-201 facts: size, isomorphism classes, best archs per dataset, seeds per arch.

Published (reference README, "NAS-Bench-201 / NATS-Bench facts"): 15,625 cells, 6,466 unique up to
isomorphism; best 200-epoch seed-mean test accuracy per dataset with its index; best cifar10-valid
validation accuracy; how many archs were trained with 1, 2 and 3 seeds (cifar10, v1_1).

Ours: the ``nb201`` store (``nasbench.load("nb201")``), the space's canonical form, the per-seed
cifar10 test accuracies. Every cell is exact (no sampling), expected to agree up to the published
rounding.
"""

from __future__ import annotations

import numpy as np

from predictors.reproduce import published as pub
from predictors.reproduce.base import Cell, Config, Report, Rule, Section, Study, judge, load_store

DATASETS = ("cifar10", "cifar100", "ImageNet16-120")


def _ties(cell: Cell) -> str | None:
    ties = cell.context.get("ties", [])
    if len(ties) > 1:
        return (f"{len(ties)} archs share the best value {cell.context['best']:.4f}: indices "
                f"{', '.join(str(t) for t in ties)}")
    return None


def _published_is_a_tie(cell: Cell) -> str | None:
    ties = cell.context.get("ties", [])
    if cell.published in ties and cell.ours != cell.published:
        return f"the published index {cell.published:.0f} is one of the tied best archs"
    return None


def _source(cell: Cell) -> str | None:
    src = cell.context.get("source")
    return f"our column: {src}" if src else None


RULES = (Rule("ties", _ties), Rule("tie-explains", _published_is_a_tie, verifies=True),
         Rule("source", _source))


def run(config: Config) -> Report:
    b = load_store("nb201")
    text = pub.section("NAS-Bench-201 / NATS-Bench facts")
    size = pub.find(r"([\d,]+)\s+cells;\s+([\d,]+)\s+unique", text)
    space = b.space  # resolved once: the property looks the space up by name on every access
    cells = [
        Cell("archs", "", float(len(b)), published=pub.number(size.group(1)).value, expected=True,
             tol=0.0, digits=0),
        Cell("isomorphism classes", "", float(len({str(space.canonical(a)) for a in b.archs})),
             published=pub.number(size.group(2)).value, expected=True, tol=0.0, digits=0,
             context={"source": "nasbench.spaces.nb201 canonical form"}),
    ]
    best_cells = []
    for m in pub.find_all(r"(cifar10|cifar100|ImageNet16-120)\s+(\d+\.\d+)\s+\(index\s+(\d+)", text):
        dataset, acc, index = m.group(1), pub.Published(float(m.group(2)), m.group(2)), int(m.group(3))
        values = np.asarray(b.values(dataset, "test_accuracy"), dtype=np.float64)
        best = float(np.nanmax(values))
        ties = [int(i) for i in np.flatnonzero(values == best)]
        src = b.describe(dataset, "test_accuracy").source
        best_cells += [
            Cell(dataset, "best test accuracy (%)", best, published=acc.value, rounding=acc.rounding,
                 expected=True, tol=acc.rounding, digits=2, context={"source": src}),
            Cell(dataset, "index of the best", float(ties[0]), published=float(index),
                 expected=True, tol=0.0, digits=0, context={"ties": ties, "best": best}),
        ]
    valid = pub.find(r"Best\s+cifar10-valid\s+validation\s+accuracy\s+(\d+\.\d+)", text)
    vv = np.asarray(b.values("cifar10-valid", "valid_accuracy", budget=200), dtype=np.float64)
    best_cells.append(
        Cell("cifar10-valid", "best valid accuracy (%)", float(np.nanmax(vv)),
             published=float(valid.group(1)), rounding=pub.rounding_of(valid.group(1)),
             expected=True, tol=pub.rounding_of(valid.group(1)), digits=2,
             context={"source": b.describe("cifar10-valid", "valid_accuracy").source})
    )
    seeds = pub.find(r"([\d,]+)\s+archs\s+have\s+1\s+seed,\s+([\d,]+)\s+have\s+2,\s+([\d,]+)\s+have\s+3", text)
    per_seed = np.asarray(b.values("cifar10", "test_accuracy", seed="all"))
    counts = np.bincount(np.isfinite(per_seed).sum(axis=1), minlength=4)
    variants = b.catalog("cifar10")
    seed_source = ", ".join(variants[(variants["metric"] == "test_accuracy")
                                     & (variants["aggregation"] == "seeds")]["source"])
    seed_cells = [
        Cell("cifar10 archs trained", f"with {k} seed{'s' if k > 1 else ''}", float(counts[k]),
             published=pub.number(seeds.group(k)).value, expected=True, tol=0.0, digits=0,
             context={"source": f"{seed_source} (per-seed test accuracy)"})
        for k in (1, 2, 3)
    ]
    for c in (*cells, *best_cells, *seed_cells):
        judge(c, RULES)
    n0 = int(counts[0])
    sections = [
        Section("Size", cells),
        Section("Best architectures (200 epochs, seed mean)", best_cells),
        Section(
            "Seeds per architecture", seed_cells,
            findings=[
                f"{int(counts[1]):,} + {int(counts[2]):,} + {int(counts[3]):,} = "
                f"{int(counts[1:].sum()):,} archs have at least one cifar10 run"
                + ("" if n0 == 0 else f"; {n0:,} have none")
                + "; the default query averages over the seeds that exist, so "
                f"{int(counts[1]):,} seed means are single runs."
            ],
        ),
    ]
    protocol = (
        f"Protocol: every number computed from the whole `nb201` store ({len(b):,} archs): maxima "
        "of the 200-epoch seed-mean accuracies, isomorphism classes of the space's canonical form, "
        "finite per-seed cifar10 test accuracies per arch. Exact: no sampling."
    )
    return STUDY.report(protocol, sections)


STUDY = Study(
    name="nb201-facts",
    title="NAS-Bench-201 facts: size, isomorphism classes, best archs, seeds per arch",
    cite="Dong & Yang, \"NAS-Bench-201: Extending the Scope of Reproducible Neural Architecture "
    "Search\", ICLR 2020; Dong et al., \"NATS-Bench\", TPAMI 2021.",
    run=run,
    needs=("nb201",),
)
