"""The ``nb101_datafree_zc`` store: data-free zero-cost proxies on the 1,000 ``nb101_zc`` cells.

Rows: the same 1,000 cells as ``nb101_zc`` (``nasbench.recipes.nb101_zc.archs``), dataset
``cifar10``. Values: only the proxies whose networks read no image of the dataset (AZ-NAS and its
components on Gaussian noise, synflow on an all-ones input, Zen on Gaussian batches, params,
FLOPs), with a batch of 16 instead of 64 so that the table costs minutes, not hours: it is the
pretraining target of ``GNNPredictor(pretrain="zc", pretrain_bench="nb101_datafree_zc")``
(``predictors.gnn.pretrain``), not a replacement for ``nb101_zc``, whose batch-64 values are the
ones to compare with published scores. Results in ``data/zc/nb101_cifar10_datafree/``
(``nasbench.recipes._zc`` reads them).
"""

from __future__ import annotations

from nasbench.config import PROJECT_ROOT
from nasbench.recipes import nb101_zc
from nasbench.recipes._zc import ZcTable
from nasbench.spaces.nb101 import SPACE

RESULTS_DIR = PROJECT_ROOT / "data" / "zc" / "nb101_cifar10_datafree"

TABLE = ZcTable(
    space=SPACE,
    dataset="cifar10",
    results_dir=RESULTS_DIR,
    command=("nasbench proxies nb101 --dataset cifar10 --archs all --proxies "
             "az_nas,synflow,zen,params,flops --batch-size 16 --out data/zc/nb101_cifar10_datafree"),
    images="no images: Gaussian noise (AZ-NAS, Zen) and an all-ones input (synflow)",
)

RECIPE = TABLE.recipe(
    "nb101_datafree_zc",
    archs=nb101_zc.archs,
    arch_sources=nb101_zc.RECIPE.arch_sources,
    description=(
        "This project's data-free zero-cost proxies on NB101 networks at initialisation (the "
        "official network: stem 128, 3 stacks x 3 cells): AZ-NAS (components and rank "
        "aggregate), synflow, Zen, params and FLOPs, whose networks read no image (Gaussian "
        "noise, an all-ones input), batch 16; a pretraining target for the GNN predictors "
        "(pretrain='zc'). Rows: the 1,000 cells of nb101_zc."
    ),
)
