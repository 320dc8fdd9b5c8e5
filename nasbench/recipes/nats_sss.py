"""The ``nats_sss`` store: the NATS-Bench *size* space (sss), all 32,768 channel configurations.

Rows: the 32,768 width strings ``8:16:32:64:64`` in official NATS-sss index order (computed by
``nasbench.spaces.nats_sss``; the LightOn reader checks its own arch list against it).

Three sources:

* ``nats-sss/lighton/`` (Hesslow & Poli's LightOn export of the official benchmark):
  ``valid_accuracy`` at budget 90 for ``cifar10-valid``, ``cifar100`` and ``ImageNet16-120``, every
  arch. The value is the ``x-valid`` top-1 accuracy after the last epoch (``@89``) of the 90-epoch
  schedule, one run (seed 777; NATS-sss ran one seed at 90 epochs), stored with
  ``aggregation="single"``. Not test accuracy: NATS-sss test metrics, losses and 12-epoch values
  exist here only for the three official records below.
* ``nats-bench-official/NATS-sss-v1_0-50262-simple``: the complete official records of archs 0, 11
  and 284 (budgets 1, 12 and 90 epochs; train / valid / test accuracy and loss, train time, seeds
  and per-epoch curves; ``latency/gpu``), read by ``nasbench.readers.nats``. Where a record repeats
  a column of another source (the 90-epoch validation accuracy; params and FLOPs) the record's copy
  is checked equal and dropped, so every metric has one source; its per-epoch curve is kept.
* ``params`` and ``flops`` of every arch and dataset, computed from the channel plan
  (``SPACE.params`` / ``SPACE.flops``), equal to the official records.

This store replaces ``nats_sample`` (the 3 records alone), which it contains.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasbench.readers.nats import TRAINED_ON
from nasbench.recipes.base import Part, Recipe
from nasbench.sources import Source
from nasbench.spaces.nats_sss import SPACE
from nasbench.store import Column

# -- LightOn: 90-epoch validation accuracy of every arch ------------------------------------------
_LIGHTON_REPO = "https://github.com/lightonai/contrastive-embeddings-for-neural-architectures"
_LIGHTON_COMMIT = "8606a4a4d7ea9ed9c01964660e8b2afb1e003480"


def _lighton(name: str, sha256: str, note: str) -> Source:
    return Source(
        path=f"nats-sss/lighton/{name}",
        sha256=sha256,
        repo=_LIGHTON_REPO,
        commit=_LIGHTON_COMMIT,
        repo_path=f"SearchSpaces/BenchNatsss/{name}",
        license="MIT",
        note=note,
    )


ARCHS_SOURCE = _lighton(
    "arch_strings.npy", "810ffb6d4bbfcdd3a42ffd6b3d39daca53110260715ccd89e63eb3636519ee0a",
    "NATS-sss arch strings in official order (equal to the official meta_archs)",
)
#: dataset -> its LightOn file
LIGHTON = {
    "cifar10-valid": _lighton(
        "cifar10_accs.npy", "fb28ab473ad084d0360626c58f750e92e237ac4fe253e5a2cc42bab8c9c6c745",
        "NATS-sss cifar10-valid x-valid accuracy @89 of the 90-epoch run, all archs",
    ),
    "cifar100": _lighton(
        "cifar100_accs.npy", "10669ea2ccd27c5532503ea4ca98eff1ea60ae400596232af52780db6cabccca",
        "NATS-sss cifar100 x-valid accuracy @89 of the 90-epoch run, all archs",
    ),
    "ImageNet16-120": _lighton(
        "ImageNet16-120.npy", "1902b051be94e395e3349c617d5c904220b2d5cb32e5bc6d43aac2a82b6db7bb",
        "NATS-sss ImageNet16-120 x-valid accuracy @89 of the 90-epoch run, all archs",
    ),
}
#: what x-valid is for each dataset
VALID_SET_TEXT = {
    "cifar10-valid": "x-valid, the half of the CIFAR-10 training set held out from training",
    "cifar100": "x-valid, the half of the CIFAR-100 test set NATS uses for validation",
    "ImageNet16-120": "x-valid, the half of the ImageNet16-120 test set NATS uses for validation",
}
BUDGET = 90


def read_lighton(paths: list[Path], archs: list[str]) -> list[Column]:
    """The LightOn arrays as ``valid_accuracy@90`` columns (``paths``: arch list, then
    ``LIGHTON``'s files in order).

    Raises:
        ValueError: the arch list differs from the store's rows, or an array has another length.
    """
    listed = np.load(paths[0]).tolist()
    if listed != archs:
        # first differing row; a shorter list differs where it ends
        wrong = next((i for i, (a, b) in enumerate(zip(listed, archs)) if a != b),
                     min(len(listed), len(archs)))
        raise ValueError(
            f"{ARCHS_SOURCE.path}: arch list differs from the official NATS-sss order at row "
            f"{wrong} ({len(listed)} strings; expected {len(archs)})"
        )
    columns = []
    for (dataset, source), path in zip(LIGHTON.items(), paths[1:]):
        values = np.load(path).astype(np.float64)
        if values.shape != (len(archs),):
            raise ValueError(f"{source.path} has shape {values.shape}; expected ({len(archs)},)")
        columns.append(Column(
            dataset=dataset,
            metric="valid_accuracy",
            values=values,
            unit="%",
            split="valid",
            budget=BUDGET,
            aggregation="single",
            direction="max",
            description=(
                f"NATS-sss top-1 accuracy on {VALID_SET_TEXT[dataset]}, after the last epoch of "
                f"the 90-epoch schedule (trained on {TRAINED_ON[dataset]}); one run, seed 777 "
                "(the only 90-epoch seed NATS-sss ran). Validation, not test accuracy"
            ),
        ))
    return columns


# -- the official records of archs 0, 11, 284 -----------------------------------------------------
_RECORD_DIR = "nb201/nats-bench-official/NATS-sss-v1_0-50262-simple"
_NATS_REPO = "https://github.com/D-X-Y/NATS-Bench"
_NATS_COMMIT = "1d4a304ad1906aa5866563438fcbf0d624b7eda2"
_RECORD_FILES = (
    ("meta", "63abccf2cfd42604a24c270aafb1faa56fbdaf1418368af82346750642c45383",
     "official NATS-sss index -> channel string list (meta_archs)"),
    ("000000", "76265ad39ba47dcef1b754872370336158d430c0d869ab2f752dadf684bea378",
     "official record of NATS-sss arch 0 (8:8:8:8:8)"),
    ("000011", "0b267775cbff4841dac9769ebab098d2b70e56d58e393eeb5968e8db57be9e5a",
     "official record of NATS-sss arch 11"),
    ("000284", "3918e488313ef21991e870af1d104f35a6b1d41ba994e8585af2b0c544869b8d",
     "official record of NATS-sss arch 284"),
)
RECORD_SOURCES = tuple(
    Source(
        path=f"{_RECORD_DIR}/{stem}.pickle.pbz2",
        sha256=digest,
        repo=_NATS_REPO,
        commit=_NATS_COMMIT,
        repo_path=f"fake_torch_dir/NATS-sss-v1_0-50262-simple/{stem}.pickle.pbz2",
        license="MIT",
        note=note,
    )
    for stem, digest, note in _RECORD_FILES
)
#: the official indices that have a record
RECORDS = (0, 11, 284)


def read_records(paths: list[Path], archs: list[str]) -> list[Column]:
    """Every column of the three official records, less the copies other parts own.

    Dropped (after checking): ``params`` / ``flops`` (equal to ``SPACE``'s counts, which cover every
    arch) and the ``mean`` and ``seeds`` arrays of ``valid_accuracy`` at 90 epochs (one run, seed
    777, which ``read_lighton`` stores for every arch; ``test_nats_sss`` checks the values agree).

    Raises:
        ValueError: a record's params or FLOPs differ from the computed ones.
    """
    from nasbench.readers.nats import to_columns

    # only the pinned record files, even if the folder holds more
    columns = to_columns(paths[0].parent, archs, indices=RECORDS, curves=True,
                         source="nats-sss-official-records")
    keep = []
    for col in columns:
        if col.metric in ("params", "flops"):
            _check_size(col)
        elif not (col.metric == "valid_accuracy" and col.budget == BUDGET
                  and col.dataset in LIGHTON and col.aggregation in ("mean", "seeds")):
            keep.append(col)
    return keep


def _check_size(col: Column) -> None:
    classes, resolution = SHAPES[col.dataset]
    for index in RECORDS:
        arch = SPACE.arch_at(index)
        computed = (SPACE.params(arch, classes) if col.metric == "params"
                    else SPACE.flops(arch, classes, resolution))
        if abs(computed - col.values[index]) > 1e-9:
            raise ValueError(
                f"NATS-sss record {index}: {col.dataset} {col.metric} is {col.values[index]}, the "
                f"channel plan gives {computed}; nasbench.spaces.nats_sss counts differently"
            )


# -- params and FLOPs from the channel plan -------------------------------------------------------
#: dataset -> (classes, input resolution)
SHAPES = {"cifar10-valid": (10, 32), "cifar10": (10, 32), "cifar100": (100, 32),
          "ImageNet16-120": (120, 16)}


def read_size(paths: list[Path], archs: list[str]) -> list[Column]:
    columns = []
    for dataset, (classes, resolution) in SHAPES.items():
        params = np.asarray(SPACE.params(archs, classes))
        flops = np.asarray(SPACE.flops(archs, classes, resolution))
        what = f"the NATS-sss network for {dataset} ({classes} classes, {resolution}x{resolution} input)"
        columns += [
            Column(dataset, "params", params, unit="M", aggregation="single", direction="min",
                   description=f"parameters of {what}, counted from the channel plan as "
                               "NATS-Bench does (equal to the official records)"),
            Column(dataset, "flops", flops, unit="M", aggregation="single", direction="min",
                   description=f"multiply-adds of one forward pass of {what}; convolutions and "
                               "the classifier only, as NATS-Bench counts them"),
        ]
    return columns


RECIPE = Recipe(
    name="nats_sss",
    space="nats_sss",
    archs=lambda: list(SPACE.enumerate()),
    parts=[
        Part("nats-sss-lighton", (ARCHS_SOURCE, *LIGHTON.values()), read_lighton,
             "NATS-sss 90-epoch validation accuracy of all 32,768 archs (LightOn export)"),
        Part("nats-sss-official-records", RECORD_SOURCES, read_records,
             "NATS-sss official records of archs 0, 11, 284 (every metric, per epoch)"),
        Part("nats-sss-network-size", (), read_size, "params and FLOPs from the channel plan"),
    ],
    description=(
        "NATS-Bench size space (NATS-sss): 32,768 channel configurations '8:16:32:64:64' of one "
        "fixed cell network, official index order. Every arch: the 90-epoch validation accuracy "
        "(x-valid, last epoch, one run with seed 777) on cifar10-valid, cifar100 and "
        "ImageNet16-120, and params / FLOPs computed from the channel plan. Archs 0, 11 and 284 "
        "only: the complete official records (budgets 1, 12, 90; train / valid / test accuracy and "
        "loss, train time, per-epoch curves, GPU latency; datasets also include 'cifar10', trained "
        "on train+valid). There is no test accuracy for the other archs: the published NATS-sss "
        "table is not available here."
    ),
)
