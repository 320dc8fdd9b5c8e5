"""Per-seed 200-epoch cifar10 test accuracies (MeCo's extract of NB201 v1_1).

Source: MeCo (NeurIPS 2023) ``notebooks_201/nb2_test_acc_cf10.p``, a pickled dict
``{op-id 6-tuple: [test accuracy of each seed]}`` made with ``query_by_index(i, 'cifar10',
hp='200')`` and ``get_eval('ori-test')`` per seed. Keys use the official op ids
(0 none, 1 skip_connect, 2 nor_conv_1x1, 3 nor_conv_3x3, 4 avg_pool_3x3) in arch-string edge
order, i.e. ``SPACE.from_op_ids``.

Stored as ``cifar10/test_accuracy`` at budget 200 with ``aggregation="seeds"``: shape
(15,625, 3), NaN-padded, because NB201 ran 1 seed for 2,225 archs, 2 for 5,439 and 3 for 7,961.
Column k is the k-th entry of MeCo's list (the NB201 API's dict order of the runs), **not** a fixed
seed: which of NB201's seeds 777 / 888 / 999 a value came from is not recorded. The row mean equals
the seed-mean ``test_accuracy`` of the same store (the tests check it), so ``query(...,
seed=None)`` is unaffected; ``seed=k`` / ``seed="all"`` read this array.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasbench.recipes.base import Part, align
from nasbench.sources import Source, load_pickle
from nasbench.spaces.nb201 import SPACE
from nasbench.store import Column

SOURCE = Source(
    path="nb201/meco/nb2_test_acc_cf10.p",
    sha256="6d48694bf618ea6c38b57ed09d79209ab2de9b6f7090fbfc9a10d864fa691e4f",
    repo="https://github.com/HamsterMimi/MeCo",
    commit="0d830dd2f639f9d1ba3b5831a65df768d70fc93b",
    repo_path="notebooks_201/nb2_test_acc_cf10.p",
    license="MIT",
    note="NB201 v1_1 cifar10 ori-test accuracy per seed, 200 epochs",
)

MAX_SEEDS = 3


def read(paths: list[Path], archs: list[str]) -> list[Column]:
    table = load_pickle(paths[0])  # unpickles only bytes that match the sha256 pin
    keys, rows = [], np.full((len(table), MAX_SEEDS), np.nan)
    for n, (ids, accs) in enumerate(table.items()):
        if not 1 <= len(accs) <= MAX_SEEDS:
            raise ValueError(f"{SOURCE.path}: arch {ids} has {len(accs)} seeds; expected 1..3")
        keys.append(SPACE.from_op_ids(ids))
        rows[n, : len(accs)] = accs
    values = align(keys, rows, archs, what=SOURCE.path)
    return [
        Column(
            dataset="cifar10",
            metric="test_accuracy",
            values=values,
            unit="%",
            split="test",
            budget=200,
            aggregation="seeds",
            description=(
                "NB201 v1_1: final-epoch ori-test accuracy of each 200-epoch run (trained on train+valid); "
                "1-3 runs per arch, NaN-padded; column k is the k-th run in NB201's record order, "
                "not a fixed seed (which of seeds 777/888/999 is unknown)"
            ),
            direction="max",
        )
    ]


PARTS = [Part("meco-seeds", (SOURCE,), read, "NB201 v1_1 cifar10 per-seed test accuracy (MeCo)")]
