"""NB201 v1_1 200-epoch seed-mean train / validation / test accuracy (NASGraph-Public export).

Source: ``nasgraph-public/nasbench201_{cifar10,cifar100,ImageNet16-120}.csv`` (Huang et al.,
NASGraph), made by ``extract_nasbench.py`` with the NB201 v1_1 API's ``get_more_info(i, dataset,
hp='200', is_random=False)``: the seed means after the last epoch of the 200-epoch schedule. Columns
``file id`` (= NB201 index), ``arch str``, ``train accuracy``, ``validation accuracy`` (``x-valid``)
and ``test accuracy``. The "cifar10" file is the **cifar10-valid** split (trained on the train
half; test = ``ori-test`` of that model, not the 94.37 model of ``cifar10``).

Stored at budget 200, ``aggregation="mean"``:

* ``cifar10-valid``: ``train_accuracy``, ``valid_accuracy``, ``test_accuracy``;
* ``cifar100`` and ``ImageNet16-120``: ``valid_accuracy`` only. Their train and test accuracies are
  exactly ``badar-e-alam-nas``'s (``seed_mean_200``; the tests check it), so they are not stored
  twice.

These are NB201 **v1_1** means, over the 1-3 seeds v1_1 ran. NATS-tss re-ran seeds for 2,418
archs, so its cifar10-valid means differ there; they live in the ``nats_tss`` store.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasbench.recipes.base import Part
from nasbench.sources import Source
from nasbench.store import Column

_REPO = "https://github.com/Zhenhan-Huang/NASGraph-Public"
_COMMIT = "1f8fd621c60a48728fcc890818b6b94eee62e4dc"
#: store dataset -> (file stem, sha256, metrics stored from it)
FILES = {
    "cifar10-valid": ("cifar10", "c82e70b5ffb0dba0f09d88ecc8df5a6d3ce8da8a99ad223285104f4537314033",
                      ("train_accuracy", "valid_accuracy", "test_accuracy")),
    "cifar100": ("cifar100", "87a42005d7005fdb5e4a938ed83dd306d907523f23e70af907dfd276dd5fe35d",
                 ("valid_accuracy",)),
    "ImageNet16-120": ("ImageNet16-120",
                       "f5225573584977b283f473b0ded7fe51ae599a67063b3bd02b18de36b29fcd6b",
                       ("valid_accuracy",)),
}
SOURCES = tuple(
    Source(
        path=f"nb201/nasgraph-public/nasbench201_{stem}.csv",
        sha256=digest,
        repo=_REPO,
        commit=_COMMIT,
        repo_path=f"data/nasbench201_{stem}.csv",
        license="Apache-2.0",
        note=f"NB201 v1_1 200-epoch seed-mean train/valid/test accuracy, {dataset}",
    )
    for dataset, (stem, digest, _) in FILES.items()
)
#: metric -> (csv column, split)
FIELDS = {
    "train_accuracy": ("train accuracy", "train"),
    "valid_accuracy": ("validation accuracy", "valid"),
    "test_accuracy": ("test accuracy", "test"),
}
TRAINED_ON = {
    "cifar10-valid": "the train half of the CIFAR-10 training set",
    "cifar100": "the CIFAR-100 training set",
    "ImageNet16-120": "the ImageNet16-120 training set",
}
SET_TEXT = {
    ("cifar10-valid", "valid"): "x-valid, the held-out half of the CIFAR-10 training set",
    ("cifar10-valid", "test"): "ori-test, the official CIFAR-10 test set",
    ("cifar100", "valid"): "x-valid, the half of the CIFAR-100 test set NB201 uses for validation",
    ("ImageNet16-120", "valid"): "x-valid, the half of the ImageNet16-120 test set NB201 uses "
                                 "for validation",
}


def read(paths: list[Path], archs: list[str]) -> list[Column]:
    """Columns of the three files (``paths`` in ``FILES`` order).

    Raises:
        ValueError: a file's ``file id`` is not the row number or its ``arch str`` differs from
            the store's arch at that row.
    """
    import pandas as pd

    columns = []
    for (dataset, (_, _, metrics)), path, source in zip(FILES.items(), paths, SOURCES):
        frame = pd.read_csv(path)
        if len(frame) != len(archs) or not np.array_equal(frame["file id"], np.arange(len(archs))):
            raise ValueError(f"{source.path}: column 'file id' is not the row number 0..{len(archs) - 1}")
        wrong = np.flatnonzero(frame["arch str"].to_numpy(dtype=object) != np.array(archs, dtype=object))
        if wrong.size:
            i = int(wrong[0])
            raise ValueError(
                f"{source.path}: row {i} has arch str {frame['arch str'][i]!r}, but the store's "
                f"arch {i} is {archs[i]!r} ({wrong.size} rows differ)"
            )
        for metric in metrics:
            field, split = FIELDS[metric]
            on = f" on {SET_TEXT[(dataset, split)]}" if split != "train" else ""
            columns.append(Column(
                dataset=dataset,
                metric=metric,
                values=frame[field].to_numpy(np.float64),
                unit="%",
                split=split,
                budget=200,
                aggregation="mean",
                direction="max",
                description=(
                    f"NB201 v1_1: final-epoch {split} accuracy{on}, 200-epoch schedule (trained "
                    f"on {TRAINED_ON[dataset]}), averaged over the 1-3 seeds NB201 v1_1 ran"
                ),
            ))
    return columns


PARTS = [Part("nb201-v1_1-nasgraph", SOURCES, read,
              "NB201 v1_1 200-epoch seed-mean train/valid/test accuracy (NASGraph-Public)")]
