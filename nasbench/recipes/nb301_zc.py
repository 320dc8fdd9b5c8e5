"""The ``nb301_zc`` store: this project's own zero-cost proxies on the 500 NB301 genotypes, CIFAR-10.

Rows (500, dataset ``cifar10``): the genotypes of NAS-Bench-Suite-Zero's NB301 table (NASLib's
``zc_nasbench301.json``), i.e. the ``nb301`` store's rows 0..499 in the same order and with the
same strings (DARTS ``Genotype`` reprs, pairs in NASLib's order). The list is read from that
pinned raw file, so it does not depend on a built store. No official index: results are matched
by genotype string.

Values: ``nasbench proxies nb301 --dataset cifar10 --archs all`` (``predictors/zero_cost``; the
network is the NB301 DARTS network, C=32, 8 cells), results in ``data/zc/nb301_cifar10/``
(``nasbench.recipes._zc`` reads them). The store says whether the run is complete.
"""

from __future__ import annotations

from pathlib import Path

from nasbench.config import PROJECT_ROOT
from nasbench.recipes import nb301
from nasbench.recipes._zc import ZcTable
from nasbench.spaces.darts import SPACE

RESULTS_DIR = PROJECT_ROOT / "data" / "zc" / "nb301_cifar10"


def archs(paths: list[Path]) -> list[str]:
    """The 500 Suite-Zero genotypes in file order (``paths``: the verified ``nb301.SOURCE``)."""
    return [SPACE.from_naslib(k) for k in nb301._table(paths[0])]


TABLE = ZcTable(
    space=SPACE,
    dataset="cifar10",
    results_dir=RESULTS_DIR,
    command="nasbench proxies nb301 --dataset cifar10 --archs all",
    unit="genotypes",
)

RECIPE = TABLE.recipe(
    "nb301_zc",
    archs=archs,
    arch_sources=(nb301.SOURCE,),
    description=(
        "This project's zero-cost proxies on the NB301 DARTS networks at initialisation (C=32, 8 "
        "cells, reductions at 1/3 and 2/3), CIFAR-10: the 13 NAS-Bench-Suite-Zero proxies plus "
        "GradSign, ZiCo, MeCo, AZ-NAS and SWAP where the network allows them (NaN with a recorded "
        "reason otherwise), fused passes on CIFAR-10 (JPEG q75) train images. Rows: the 500 "
        "genotypes of NAS-Bench-Suite-Zero's NB301 table (the nb301 store's rows 0-499)."
    ),
)
