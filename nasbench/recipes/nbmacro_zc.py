"""The ``nbmacro_zc`` store: this project's own zero-cost proxies on NAS-Bench-Macro, CIFAR-10.

Rows: the 6,561 arch strings in the ``nbmacro`` store's order (the string read as a base-3
number, which is ``index`` in the results); dataset ``cifar10``. Archs that differ only in where an
Identity sits within layers 4-5 or 7-8 are one network (``nasbench.spaces.nbmacro``: 3,969
classes): the run scores each class representative with every proxy and the others with the
per-cell proxies only (``params``, ``flops``, ``l2_norm``, ``zen``, ``meco``); the rest is
fanned out (``nasbench.recipes._zc``).

Values: ``nasbench proxies nbmacro --dataset cifar10 --archs all`` (``predictors/zero_cost``),
results in ``data/zc/nbmacro_cifar10/``. The store says whether the run is complete.
"""

from __future__ import annotations

from nasbench.config import PROJECT_ROOT
from nasbench.recipes._zc import ZcTable
from nasbench.spaces.nbmacro import SPACE

RESULTS_DIR = PROJECT_ROOT / "data" / "zc" / "nbmacro_cifar10"

TABLE = ZcTable(
    space=SPACE,
    dataset="cifar10",
    results_dir=RESULTS_DIR,
    command="nasbench proxies nbmacro --dataset cifar10 --archs all",
    fan_out=True,
)

RECIPE = TABLE.recipe(
    "nbmacro_zc",
    archs=lambda: list(SPACE.enumerate()),
    description=(
        "This project's zero-cost proxies on the NAS-Bench-Macro networks at initialisation, "
        "CIFAR-10: the 13 NAS-Bench-Suite-Zero proxies plus GradSign, ZiCo, MeCo, AZ-NAS and SWAP "
        "where the network allows them (NaN with a recorded reason otherwise), fused passes on "
        "CIFAR-10 (JPEG q75) train images. The 3,969 class representatives are scored and fanned "
        "out to their class (params, flops, l2_norm, Zen and MeCo computed per arch)."
    ),
)
