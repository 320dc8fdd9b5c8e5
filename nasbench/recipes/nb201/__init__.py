"""The ``nb201`` store: NAS-Bench-201 v1_1, every published NB201 source in one table.

One version per number: seed means are NB201 v1_1's; the NATS-tss re-release's differing means are
the ``nats_tss`` store (``nasbench.recipes.nats_tss``).

Rows are the 15,625 cells in official index order. Each module in this package reads one published
source and exposes ``PARTS`` (a list of ``Part``); this file collects them all, so adding a source is
adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil

from nasbench.recipes.base import Part, Recipe
from nasbench.spaces.nb201 import OFFICIAL_ORDER_SOURCE, SPACE


def _parts() -> list[Part]:
    parts: list[Part] = []
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not mod.name.startswith("_"):
            parts.extend(importlib.import_module(f"{__name__}.{mod.name}").PARTS)
    return parts


RECIPE = Recipe(
    name="nb201",
    space="nb201",
    archs=lambda: list(SPACE.official_order),
    parts=_parts(),
    extra_sources=(OFFICIAL_ORDER_SOURCE,),
    description=(
        "NAS-Bench-201 v1_1 (the paper's release; NATS-Bench topology space): 15,625 cells of 6 "
        "edges x 5 ops, trained on CIFAR-10, CIFAR-100 and ImageNet16-120. Datasets: 'cifar10' "
        "(trained on train+valid, tested on the official test set), 'cifar10-valid' (trained on "
        "train, validated on the held-out half of train), 'cifar100', 'ImageNet16-120'. "
        "Accuracies are at the 200-epoch budget and averaged over the 1-3 seeds NB201 v1_1 ran "
        "unless a metric says otherwise; 12-epoch values come from a separate 12-epoch schedule; "
        "cifar10-valid has per-epoch curves for archs 0..199. Every seed mean is NB201 v1_1's: "
        "NATS-tss's re-run means (which differ on 2,418 archs) and the cifar10-valid losses and "
        "train times, known only from NATS-tss, are in the 'nats_tss' store. Hardware and "
        "zero-cost tables are attached to the dataset whose input size they were measured with."
    ),
)
