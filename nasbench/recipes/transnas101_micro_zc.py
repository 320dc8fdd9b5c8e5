"""The ``transnas101_micro_zc`` store: this project's own zero-cost proxies on TransNAS-Bench-101
micro networks.

Rows: the 4,096 cells in the ``transnas101_micro`` store's order (sorted strings; ``index`` in the
results is that position, not an official index). Dataset ``class_object``: the network is the
benchmark's (``predictors.networks.transnas_macro``: stem, 10 micro cells, skeleton 41414, 64
base channels, the benchmark's Kaiming init) with its 75-class object-classification head, the
input size it trained at (256x256). TransNAS trained on Taskonomy images, which are not available
here: the proxies read CIFAR-10 (JPEG q75) train images upsampled to 256x256 (each pixel an 8x8
block), labels 0-9 of the 75 (the manifest's ``images`` text and every column's description say
so). At CIFAR-10's own 32x32 the backbone's last feature maps would be 1x1 (stride 32), where
train-mode BatchNorm on one image is undefined and FLOPs, MeCo and GradSign fail. ``zc/params``
is the ``transnas101_micro`` store's ``model_params`` (backbone + head).

The cells form 1,229 classes (``nasbench.spaces.transnas_micro``, reductions kept apart): the run
scores each representative with every proxy and the other cells with the per-cell proxies only
(``params``, ``flops``, ``l2_norm``, ``zen``, ``meco``); the rest is fanned out
(``nasbench.recipes._zc``). Values: ``nasbench proxies
transnas_micro --dataset class_object --archs all``, results in
``data/zc/transnas_micro_class_object/``. The store says whether the run is complete.
"""

from __future__ import annotations

from nasbench.config import PROJECT_ROOT
from nasbench.recipes._zc import ZcTable
from nasbench.spaces.transnas_micro import SPACE

DATASET = "class_object"
RESULTS_DIR = PROJECT_ROOT / "data" / "zc" / f"transnas_micro_{DATASET}"

TABLE = ZcTable(
    space=SPACE,
    dataset=DATASET,
    results_dir=RESULTS_DIR,
    command=f"nasbench proxies transnas_micro --dataset {DATASET} --archs all",
    fan_out=True,
    unit="cells",
    images=(
        "TransNAS-Bench-101's Taskonomy images are not available: CIFAR-10 (JPEG q75) train "
        "images upsampled to 256x256 fed the class_object network (75-class head)"
    ),
)

RECIPE = TABLE.recipe(
    "transnas101_micro_zc",
    archs=lambda: list(SPACE.enumerate()),
    description=(
        "This project's zero-cost proxies on the TransNAS-Bench-101 micro networks (the "
        "benchmark's backbone, 64 channels, skeleton 41414, with the class_object head of 75 "
        "classes) at initialisation, dataset 'class_object': the 13 NAS-Bench-Suite-Zero proxies "
        "plus GradSign, ZiCo, MeCo, AZ-NAS and SWAP where the network allows them (NaN with a "
        "recorded reason otherwise). Taskonomy images are not available: the networks read "
        "CIFAR-10 (JPEG q75) train images upsampled to 256x256, the input size the benchmark "
        "trained at (labels 0-9 of the 75). The 1,229 class representatives are scored and "
        "fanned out to their class (params, flops, l2_norm, zen and meco per cell)."
    ),
)
