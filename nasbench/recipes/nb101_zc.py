"""The ``nb101_zc`` store: this project's own zero-cost proxies on 1,000 NB101 cells, CIFAR-10.

Rows (1,000, dataset ``cifar10``): every cell of NAS-Bench-Suite-Zero's NB101 proxy table (292
distinct cells of its 500 records: the ``nb101`` store rows that have ``zc/*`` values), then a
sample drawn with ``numpy.random.default_rng(SAMPLE_SEED)`` without replacement from the other
cells of the 20,001-cell partial table (the ``nb101`` rows with ``valid_accuracy``), each block in
official module-hash order; strings as in the ``nb101`` store (canonical labelling). The list is
computed from the two pinned raw files the ``nb101`` store reads, so it does not depend on a
built store. The Suite-Zero cells come first, so a run that is stopped early has scored the cells
that validate it against the published scores (``predictors.zero_cost.validate``).

Values: ``nasbench proxies nb101 --dataset cifar10 --archs all`` (``predictors/zero_cost``), results in
``data/zc/nb101_cifar10/`` (``nasbench.recipes._zc`` reads them). NB101 has no isomorphism
fan-out here: every row is its own class. The store says whether the run is complete.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasbench.config import PROJECT_ROOT
from nasbench.recipes import nb101
from nasbench.recipes._zc import ZcTable
from nasbench.spaces.nb101 import SPACE

RESULTS_DIR = PROJECT_ROOT / "data" / "zc" / "nb101_cifar10"
SIZE = 1_000
SAMPLE_SEED = 0


def archs(paths: list[Path]) -> list[str]:
    """The 1,000 rows: the Suite-Zero cells, then the seeded sample of the partial table.

    Args:
        paths: the verified ``nb101.PARTIAL_SOURCE`` and ``nb101.ZC_SOURCE`` files.
    """
    partial = nb101._partial(str(paths[0]))["key"]
    zc = nb101._zc_by_hash(str(paths[1]))
    suite = sorted(zc)
    others = sorted(set(partial) - set(zc))
    rng = np.random.default_rng(SAMPLE_SEED)
    drawn = sorted(others[i] for i in rng.choice(len(others), size=SIZE - len(suite), replace=False))
    return [zc[h][0] for h in suite] + [SPACE.from_hash(h) for h in drawn]


TABLE = ZcTable(
    space=SPACE,
    dataset="cifar10",
    results_dir=RESULTS_DIR,
    command="nasbench proxies nb101 --dataset cifar10 --archs all",
)

RECIPE = TABLE.recipe(
    "nb101_zc",
    archs=archs,
    arch_sources=(nb101.PARTIAL_SOURCE, nb101.ZC_SOURCE),
    description=(
        "This project's zero-cost proxies on NB101 networks at initialisation (the official "
        "network: stem 128, 3 stacks x 3 cells), CIFAR-10: the 13 NAS-Bench-Suite-Zero proxies "
        "plus GradSign, ZiCo, MeCo, AZ-NAS and SWAP where the network allows them (NaN with a "
        "recorded reason otherwise), fused passes on CIFAR-10 (JPEG q75) train images. Rows: "
        "the 292 cells with NAS-Bench-Suite-Zero scores (the nb101 store's zc/* rows), then 708 "
        "cells drawn with seed 0 from the rest of the 20,001-cell partial table."
    ),
)
