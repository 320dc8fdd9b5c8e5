"""The ``nbmacro`` store: NAS-Bench-Macro, all 6,561 archs on CIFAR-10.

Rows are the 6,561 arch strings in index order (the string read as a base-3 number; see
``nasbench.spaces.nbmacro``). One dataset, ``cifar10``:

=====================  ======  =====  =========  ==================================================
metric                 unit    split  agg        from the JSON field
=====================  ======  =====  =========  ==================================================
``test_accuracy``      %       test   mean       ``mean_acc`` (the mean of the 3 runs)
``test_accuracy``      %       test   seeds      ``test_acc`` (3 independent trainings): ``seed=k``
``params``             M       -      single     ``params`` / 1e6
``flops``              M       -      single     ``flops`` / 1e6
=====================  ======  =====  =========  ==================================================

The benchmark publishes test accuracy only (no validation split, no curves, no training time) and
does not record the epoch budget in the file, so ``budget`` is None. Archs that differ only in
where an Identity sits within layers 4-5 or 7-8 are one network and carry identical values (see the
space's ``canonical``); all 6,561 strings are kept as rows so any string can be queried.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from nasbench.recipes.base import Part, Recipe, align
from nasbench.sources import Source
from nasbench.spaces.nbmacro import SPACE, check_arch
from nasbench.store import Column

SOURCE = Source(
    path="nas-bench-macro/nas-bench-macro_cifar10.json",
    sha256="686dee8363cc21cca8c1f321ad5749454f2d9b9ca5972682e137e539bc522297",
    repo="https://github.com/xiusu/NAS-Bench-Macro",
    commit="61a2bfc2ca0dce04d0997e6cf498047c27d6acf2",
    repo_path="data/nas-bench-macro_cifar10.json",
    license="Apache-2.0",
    note="NAS-Bench-Macro CIFAR-10: 3 test accuracies, mean, params, FLOPs for 6,561 archs",
)
N_RUNS = 3


def read(paths: list[Path], archs: list[str]) -> list[Column]:
    data = json.loads(paths[0].read_text())
    keys = [check_arch(k) for k in data]
    runs = np.array([data[k]["test_acc"] for k in keys], dtype=np.float64)
    if runs.shape != (len(keys), N_RUNS):
        raise ValueError(f"{SOURCE.path}: expected {N_RUNS} test accuracies per arch")
    mean = np.array([data[k]["mean_acc"] for k in keys], dtype=np.float64)
    if not np.allclose(mean, runs.mean(axis=1), atol=1e-6):
        raise ValueError(f"{SOURCE.path}: mean_acc is not the mean of test_acc")
    params = np.array([data[k]["params"] for k in keys], dtype=np.float64) / 1e6
    flops = np.array([data[k]["flops"] for k in keys], dtype=np.float64) / 1e6
    what = f"{SOURCE.path}"
    test: dict[str, Any] = {"dataset": "cifar10", "metric": "test_accuracy", "unit": "%", "split": "test"}
    return [
        Column(
            **test,
            values=align(keys, mean, archs, what=what),
            aggregation="mean",
            description="CIFAR-10 test accuracy, mean of the 3 independent trainings (mean_acc)",
            direction="max",
        ),
        Column(
            **test,
            values=align(keys, runs, archs, what=what),
            aggregation="seeds",
            description="CIFAR-10 test accuracy of each of the 3 independent trainings (test_acc)",
            direction="max",
        ),
        Column(
            dataset="cifar10",
            metric="params",
            values=align(keys, params, archs, what=what),
            unit="M",
            aggregation="single",
            description="parameter count in millions",
            direction="min",
        ),
        Column(
            dataset="cifar10",
            metric="flops",
            values=align(keys, flops, archs, what=what),
            unit="M",
            aggregation="single",
            description="FLOPs in millions (CIFAR-10 input)",
            direction="min",
        ),
    ]


RECIPE = Recipe(
    name="nbmacro",
    space="nbmacro",
    archs=lambda: list(SPACE.enumerate()),
    parts=[Part("nbmacro-cifar10", (SOURCE,), read, "NAS-Bench-Macro CIFAR-10 table")],
    official_index=False,
    description=(
        "NAS-Bench-Macro (Su et al., CVPR 2021): 6,561 MobileNetV2-style networks (8 layers x "
        "{Identity, MB3_K3, MB6_K5}) trained 3 times each on CIFAR-10. Test accuracy (mean and per "
        "run), params and FLOPs in millions. Rows in base-3 index order of the arch string."
    ),
)
