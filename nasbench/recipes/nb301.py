"""The ``nb301`` store: DARTS genotypes (NAS-Bench-301) with zero-cost proxies.

The full NAS-Bench-301 training data and surrogate are not available; this store holds the two
published NB301 samples that carry zero-cost proxies, as DARTS ``Genotype`` strings (space
``darts``), pairs in the order NASLib lists them:

* rows 0..499 - NASLib ``naslib/data/zc_nasbench301.json`` (branch ``benchmarks``): 500 random
  genotypes on ``cifar10`` with ``valid_accuracy`` (%; what NASLib's NB301 query returns: the
  NAS-Bench-301 v1.0 XGBoost surrogate's prediction of the 100-epoch validation accuracy),
  ``flops`` and ``params`` (millions) and 9 zero-cost proxies ``zc/<proxy>``.
* rows 500..698 - NAS-Bench-Suite-Zero's extra tasks (``9x_all.zip``, see
  ``nasbench.recipes.naslib_zc_tasks``): 199 other genotypes on ``ninapro``, ``scifar100`` and
  ``svhn`` with NASLib's own validation accuracy, flops, params and 11 proxies.

The two samples do not overlap, so every cifar10 column is NaN on rows 500..698 and every other
dataset's on rows 0..499. There is no official index (``official_index`` False). Keys are NASLib's
compact form ``[[(input, op_id) x 8], [(input, op_id) x 8]]`` (read with
``darts.SPACE.from_naslib``); no value in the cifar10 file is a failure sentinel.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nasbench.recipes import naslib_zc_tasks
from nasbench.recipes.base import Part, Recipe, align, zc_column
from nasbench.sources import Source
from nasbench.spaces.darts import SPACE
from nasbench.store import Column
from nasbench.vocab import naslib_missing

SOURCE = Source(
    path="naslib-zc-subsets/zc_nasbench301.json",
    sha256="e47e258b95f63f85a6917dfc5814f5b42f793d7ef8f9a00e66689783e43affac",
    repo="https://github.com/automl/NASLib",
    commit="22280f711aa782fe9157d1b4e5ce4f83f47ab908",
    repo_path="naslib/data/zc_nasbench301.json",
    license="Apache-2.0",
    note="NASLib zero-cost table: 500 NB301 genotypes on CIFAR-10, 11 proxies + val_accuracy",
)
SPACE_KEY = "nasbench301"
#: the 9 proxies of the cifar10 table: the Suite-Zero tasks' 11 without nwot and zen
PROXIES = {k: v for k, v in naslib_zc_tasks.PROXIES.items() if k not in ("nwot", "zen")}
COSTS = naslib_zc_tasks.COSTS


def _table(path: Path) -> dict[str, dict[str, float]]:
    data = json.loads(path.read_text())
    try:
        return data[SPACE_KEY]["cifar10"]
    except KeyError:
        raise ValueError(f"{SOURCE.path}: expected {{'{SPACE_KEY}': {{'cifar10': ...}}}}") from None


def _archs(paths: list[Path]) -> list[str]:
    first = [SPACE.from_naslib(k) for k in _table(paths[0])]
    return first + naslib_zc_tasks.archs_of(paths[1], SPACE_KEY, SPACE.from_naslib)


def read_cifar10(paths: list[Path], archs: list[str]) -> list[Column]:
    table = _table(paths[0])
    keys = [SPACE.from_naslib(k) for k in table]
    names = ["val_accuracy", *COSTS, *PROXIES]
    missing = [n for n in names if any(n not in rec for rec in table.values())]
    if missing:
        raise ValueError(f"{SOURCE.path}: field(s) {', '.join(missing)} missing for some archs")
    values = np.array([[rec[n] for n in names] for rec in table.values()], dtype=np.float64)
    values[:, 1:] = naslib_missing(values[:, 1:])
    aligned = align(keys, values, archs, what=SOURCE.path)
    col = {n: aligned[:, k] for k, n in enumerate(names)}
    where = "NAS-Bench-301 DARTS network on CIFAR-10 (NASLib's 500-genotype sample)"
    cols = [
        Column(
            dataset="cifar10",
            metric="valid_accuracy",
            values=col["val_accuracy"],
            unit="%",
            split="valid",
            budget=100,
            aggregation="single",
            description=(
                "CIFAR-10 validation accuracy after the 100-epoch NAS-Bench-301 training, as the "
                "NB301 v1.0 XGBoost surrogate predicts it (NASLib's query); the target "
                "NAS-Bench-Suite-Zero correlates proxies with"
            ),
            direction="max",
        )
    ]
    cols += [
        naslib_zc_tasks.cost_column(
            "cifar10", cost, col[cost], f"{label} in millions of the {where}, as NASLib computed it"
        )
        for cost, label in COSTS.items()
    ]
    cols += [
        zc_column(
            "cifar10", proxy, col[proxy],
            f"zero-cost proxy {label} at initialisation, {where}. Higher = better in "
            "Suite-Zero's use; the sign convention is the proxy's own",
        )
        for proxy, label in PROXIES.items()
    ]
    return cols


def read_9x(paths: list[Path], archs: list[str]) -> list[Column]:
    return naslib_zc_tasks.columns(paths[0], archs, SPACE_KEY, SPACE.from_naslib)


RECIPE = Recipe(
    name="nb301",
    space="darts",
    archs=_archs,
    arch_sources=(SOURCE, naslib_zc_tasks.SOURCE),
    parts=[
        Part("naslib-zc-nb301", (SOURCE,), read_cifar10, "NASLib 500-genotype zero-cost table"),
        Part(
            "suite-zero-9x-nb301",
            (naslib_zc_tasks.SOURCE,),
            read_9x,
            "NAS-Bench-Suite-Zero extra tasks, NB301",
        ),
    ],
    official_index=False,
    description=(
        "NAS-Bench-301 (DARTS space) samples with zero-cost proxies: 500 genotypes on 'cifar10' "
        "(NB301 validation accuracy, flops, params, 9 proxies; rows 0-499) and 199 others on "
        "'ninapro', 'scifar100', 'svhn' (NASLib-trained validation accuracy, flops, params, 11 "
        "proxies; rows 500-698). Arch strings are DARTS Genotype reprs; use "
        "nasbench.spaces.darts.SPACE.canonical to match genotypes listed in another pair order."
    ),
)
