"""The ``nb201_zc`` store: this project's own zero-cost proxies for every NB201 cell on CIFAR-10.

Built from the committed results of ``nasbench proxies nb201 --dataset cifar10 --archs all``
(``predictors/zero_cost``) in ``data/zc/nb201_cifar10/`` (``chunk-*.csv.gz``: one row per scored
architecture; ``manifest.json``: the command, settings, images and wall time). Nothing is read from
the raw-data folder: the scores are the project's own computation. The reading is shared with the
other proxy tables (``nasbench.recipes._zc``).

* Rows: the 15,625 NB201 cells in official order; dataset ``cifar10`` (the networks have 10
  classes and saw CIFAR-10 (JPEG q75) train images).
* Metrics ``zc/<proxy>`` for grad_norm, snip, grasp, fisher, synflow, jacov, nwot, epe_nas, zen,
  plain, l2_norm, params, flops, gradsign, zico, meco, swap; AZ-NAS as its four components
  ``zc/az_nas.expressivity`` / ``.progressivity`` / ``.trainability`` / ``.complexity`` and the
  rank aggregate ``zc/az_nas`` over the cells that have all four (it changes as more cells are
  scored: a rank is relative to the population).
* The isomorphism-class representatives are scored with every proxy; the other cells take their
  representative's value for every proxy except the per-cell ones, computed for each cell:
  ``params``, ``flops`` and ``l2_norm`` (a conv on a dead edge still has weights), ``zen`` (it
  sums the log-variance of every BN, a dead conv's too) and ``meco`` (it sums a term per module
  output, a dead conv's too); ``az_nas.complexity`` is the cell's own ``flops``. Zen and MeCo
  were fanned out until 2026-12-01; ``nasbench proxies nb201 --dataset cifar10 --fill`` computes
  them for the other cells, and the store stays PARTIAL until it has. NaN where not yet computed
  (the run goes through the representatives in a seeded random order) or undefined (the row's
  recorded reason: e.g. the output does not depend on the input).
"""

from __future__ import annotations

from pathlib import Path

from nasbench.config import PROJECT_ROOT
from nasbench.recipes._zc import AZ_COMPONENTS, PER_CELL, ZcTable, rank_aggregate, read_results
from nasbench.spaces.nb201 import OFFICIAL_ORDER_SOURCE, SPACE
from nasbench.store import Column

__all__ = ["AZ_COMPONENTS", "DATASET", "PER_CELL", "RECIPE", "RESULTS_DIR", "TABLE", "rank_aggregate",
           "read", "read_results"]

RESULTS_DIR = PROJECT_ROOT / "data" / "zc" / "nb201_cifar10"
DATASET = "cifar10"
TABLE = ZcTable(
    space=SPACE,
    dataset=DATASET,
    results_dir=RESULTS_DIR,
    command="nasbench proxies nb201 --dataset cifar10 --archs all",
    fan_out=True,
    unit="cells",
)


def read(paths: list[Path], archs: list[str], folder: Path | None = None) -> list[Column]:
    """Columns of the proxy results, aligned with the official NB201 order."""
    return TABLE.read(paths, archs, folder=folder)


RECIPE = TABLE.recipe(
    "nb201_zc",
    archs=lambda: list(SPACE.official_order),
    extra_sources=(OFFICIAL_ORDER_SOURCE,),
    official_index=True,
    description=(
        "This project's zero-cost proxies on the NB201 networks at initialisation, CIFAR-10: the "
        "13 NAS-Bench-Suite-Zero proxies plus GradSign, ZiCo, MeCo, AZ-NAS (components and rank "
        "aggregate) and SWAP, computed with fused passes (`nasbench proxies`) on CIFAR-10 (JPEG "
        "q75) train images, batch 64, seed 0 (MeCo: the first image; Zen and AZ-NAS: Gaussian "
        "inputs; synflow: an all-ones image). Isomorphism-class representatives are scored and "
        "fanned out to their class (params, flops, l2_norm, zen and meco per cell)."
    ),
)
