"""The ``nats_tss`` store: NB201 cells with the **NATS-Bench topology space (NATS-tss)** numbers.

NATS-tss is the re-release of NAS-Bench-201 in NATS-Bench: the same 15,625 cells (same official
index order, space ``nb201``), more seeds for some archs. Its 200-epoch seed means differ from NB201
v1_1's (the ``nb201`` store, the default for NB201 questions) on 2,418 archs: 2,210 of the 2,225
archs v1_1 ran with one seed, 208 of the 5,439 two-seed archs, none of the 7,961 three-seed archs.
The two versions are kept in separate stores so no metric mixes them.

Source: ``nas-landscapes/cifar10_avg.csv`` (Ochoa & Veerapen, PPSN 2022), one row per NB201 index
holding the fields of NATS-Bench ``get_more_info(i, 'cifar10-valid', hp='200', is_random=False)``:
``train-/valid-/test-loss``, ``-accuracy``, ``-per-time`` and ``-all-time``. The model is trained on
the train half of the CIFAR-10 training set, validated on the other half (``x-valid``) and tested on
the official test set (``ori-test``); every number is averaged over the seeds NATS-Bench ran.

Stored under ``cifar10-valid`` at budget 200: ``train_loss``, ``train_accuracy``, ``valid_loss``,
``valid_accuracy``, ``test_loss``, ``test_accuracy``, ``train_time`` (``train-all-time``, total over
the 200 epochs), ``train_time_per_epoch`` (``train-per-time``), ``valid_time`` and ``test_time``
(``valid-/test-all-time``, evaluation time summed over the 200 epochs). The per-epoch evaluation
times are those totals / 200 and are not stored. Times are seconds on the NATS-Bench authors' GPUs.
``params`` and ``flops`` (every dataset) are computed from the cell, as in ``nb201``.

Archs 0, 11 and 284 also have the official NATS-tss records (``nats-bench-official``, read by
``nasbench.readers.nats``): final values per seed (``seed=k`` / ``"all"``) and seed means for the
12- and 200-epoch schedules on every dataset, and ``latency/gpu``. Their cifar10-valid 200-epoch
means repeat ``cifar10_avg.csv`` and are not stored twice; the per-seed values are.

The reader checks that the ``index`` column is the row number and ``arch_str`` the store's arch at
that row; ``test-accuracy`` here (max 91.52) is the cifar10-valid model, not the 94.37 of
``cifar10`` (trained on train+valid).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasbench.recipes.base import Part, Recipe
from nasbench.recipes.nb201 import network_size
from nasbench.sources import Source
from nasbench.spaces.nb201 import OFFICIAL_ORDER_SOURCE, SPACE
from nasbench.store import Column

SOURCE = Source(
    path="nb201/nas-landscapes/cifar10_avg.csv",
    sha256="1fc89edb42c804223ea2f520a3a65b5e10d8c34bc2d1bbca6bc4b4b38a193827",
    repo="https://github.com/gabro8a/NAS-Landscapes",
    commit="abd5221948d901f765e3bc61d0175a3c1c52b802",
    repo_path="data/accuracy/cifar10_avg.csv",
    license="MIT",
    note="NATS-tss cifar10-valid 200-epoch seed means: losses, accuracies, times",
)

DATASET = "cifar10-valid"
SPLIT_TEXT = {
    "train": "",
    "valid": "; validated on x-valid, the held-out half of the training set",
    "test": "; tested on ori-test, the official test set",
}

#: (csv column, metric, unit, split, direction, what it is)
FIELDS = (
    ("train-loss", "train_loss", "cross-entropy", "train", "min", "final-epoch training loss"),
    ("train-accuracy", "train_accuracy", "%", "train", "max", "final-epoch training accuracy"),
    ("valid-loss", "valid_loss", "cross-entropy", "valid", "min", "final-epoch validation loss"),
    ("valid-accuracy", "valid_accuracy", "%", "valid", "max", "final-epoch validation accuracy"),
    ("test-loss", "test_loss", "cross-entropy", "test", "min", "final-epoch test loss"),
    ("test-accuracy", "test_accuracy", "%", "test", "max", "final-epoch test accuracy"),
    ("train-all-time", "train_time", "s", "train", "min", "total training time of the 200 epochs"),
    ("train-per-time", "train_time_per_epoch", "s", "train", "min",
     "training time per epoch (train_time / 200)"),
    ("valid-all-time", "valid_time", "s", "valid", "min",
     "validation-set evaluation time summed over the 200 epochs"),
    ("test-all-time", "test_time", "s", "test", "min",
     "test-set evaluation time summed over the 200 epochs"),
)


def read(paths: list[Path], archs: list[str]) -> list[Column]:
    """The ten ``cifar10-valid`` columns of ``cifar10_avg.csv``.

    Raises:
        ValueError: the row count, the ``index`` column or an ``arch_str`` disagrees with ``archs``.
    """
    import pandas as pd

    frame = pd.read_csv(paths[0])
    if len(frame) != len(archs):
        raise ValueError(f"{SOURCE.path} has {len(frame)} rows; expected {len(archs)}")
    if not np.array_equal(frame["index"].to_numpy(), np.arange(len(archs))):
        raise ValueError(f"{SOURCE.path}: column 'index' is not the row number 0..{len(archs) - 1}")
    wrong = np.flatnonzero(frame["arch_str"].to_numpy(dtype=object) != np.array(archs, dtype=object))
    if wrong.size:
        i = int(wrong[0])
        raise ValueError(
            f"{SOURCE.path}: row {i} has arch_str {frame['arch_str'][i]!r}, but the store's arch "
            f"{i} is {archs[i]!r} ({wrong.size} rows differ)"
        )
    columns = []
    for field, metric, unit, split, direction, what in FIELDS:
        columns.append(
            Column(
                dataset=DATASET,
                metric=metric,
                values=frame[field].to_numpy(dtype=np.float64),
                unit=unit,
                split=split,
                budget=200,
                aggregation="mean",
                description=(
                    f"NATS-tss: {what}, 200-epoch schedule (trained on the train half of CIFAR-10"
                    f"{SPLIT_TEXT[split]}), averaged over the seeds NATS-Bench ran (not NB201 "
                    "v1_1: see the nb201 store)"
                    + ("; seconds on the NATS-Bench authors' GPUs" if unit == "s" else "")
                ),
                direction=direction,
            )
        )
    return columns


# -- the official records of archs 0, 11, 284 -----------------------------------------------------
_RECORD_DIR = "nb201/nats-bench-official/NATS-tss-v1_0-3ffb9-simple"
_RECORD_FILES = (
    ("000000", "0103573dc07d29661807b7952fa0930a53203dc8aa6759ff0c5e0e1111300185"),
    ("000011", "9e70770646c83f824f0a51422aaa7e89afca861a257ec285cdfada7264345276"),
    ("000284", "a4f558e5e754d3987c6a6a4d3335e9027f88aeb59cba7da039406d909aa3a2d6"),
)
RECORD_SOURCES = (OFFICIAL_ORDER_SOURCE,) + tuple(
    Source(
        path=f"{_RECORD_DIR}/{stem}.pickle.pbz2",
        sha256=digest,
        repo="https://github.com/D-X-Y/NATS-Bench",
        commit="1d4a304ad1906aa5866563438fcbf0d624b7eda2",
        repo_path=f"fake_torch_dir/NATS-tss-v1_0-3ffb9-simple/{stem}.pickle.pbz2",
        license="MIT",
        note=f"official NATS-tss record of arch {int(stem)} (12- and 200-epoch runs, every dataset)",
    )
    for stem, digest in _RECORD_FILES
)
#: the official indices that have a record
RECORDS = (0, 11, 284)
_SHAPES = {"cifar10": (10, 32), "cifar10-valid": (10, 32), "cifar100": (100, 32),
           "ImageNet16-120": (120, 16)}


def read_records(paths: list[Path], archs: list[str]) -> list[Column]:
    """Final values of the three official records (per seed and mean; 12 and 200 epochs, every
    dataset; ``latency/gpu``), without per-epoch curves (dense curves of 15,625 rows would be
    ~75 MB each in memory; ``nasbench convert nats`` keeps them for a user's own directory).

    Dropped, because another part owns the metric for every arch: ``params`` / ``flops`` (checked
    equal to the cell count) and the cifar10-valid 200-epoch ``mean`` arrays that
    ``cifar10_avg.csv`` holds (the tests check that they agree).

    Raises:
        ValueError: a record's params or FLOPs differ from the cell count.
    """
    from nasbench.readers.nats import to_columns

    owned = {metric for _, metric, *_ in FIELDS}
    keep = []
    for col in to_columns(paths[0].parent, archs, indices=RECORDS, curves=False,
                          source="nats-tss-official-records"):
        if col.metric in ("params", "flops"):
            classes, resolution = _SHAPES[col.dataset]
            for i in RECORDS:
                computed = (SPACE.params(i, classes) if col.metric == "params"
                            else SPACE.flops(i, classes, resolution))
                if abs(computed - col.values[i]) > 1e-9:
                    raise ValueError(
                        f"NATS-tss record {i}: {col.dataset} {col.metric} is {col.values[i]}, the "
                        f"cell count gives {computed}"
                    )
        elif not (col.dataset == DATASET and col.budget == 200 and col.aggregation == "mean"
                  and col.metric in owned):
            keep.append(col)
    return keep


RECIPE = Recipe(
    name="nats_tss",
    space="nb201",
    archs=lambda: list(SPACE.official_order),
    parts=[
        Part("nas-landscapes-cifar10-valid", (SOURCE,), read,
             "NATS-tss cifar10-valid 200-epoch seed means (accuracy, loss, times)"),
        Part("nats-tss-official-records", RECORD_SOURCES, read_records,
             "NATS-tss official records of archs 0, 11, 284 (12 and 200 epochs, per seed)"),
        *network_size.PARTS,
    ],
    extra_sources=(OFFICIAL_ORDER_SOURCE,),
    description=(
        "NATS-Bench topology space (NATS-tss), the NATS-Bench re-release of NAS-Bench-201: the "
        "same 15,625 cells in official index order, with NATS-tss's 200-epoch seed means, which "
        "differ from NB201 v1_1 (the 'nb201' store, the default for NB201 questions) on 2,418 "
        "archs that NATS-tss ran with more seeds. 'cifar10-valid' (trained on the train half of "
        "CIFAR-10, validated on the other half, tested on the official test set): train / valid / "
        "test accuracy and loss, total and per-epoch train time, evaluation times. params / flops "
        "for every dataset, computed from the cell. Archs 0, 11 and 284 only: the official "
        "records' final values per seed and seed mean, 12- and 200-epoch schedules, every dataset "
        "(cifar10, cifar100, ImageNet16-120 too), and GPU latency."
    ),
)
