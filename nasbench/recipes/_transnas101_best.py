"""TransNAS-Bench-101 train / valid / test metrics in the API's "best" mode, for both stores.

Source: ``transnas101/nasgraph-best-mode/transbench101_<task>.csv`` (Huang et al., NASGraph-Public),
one file per task, 7,352 rows each, made with the official API's
``get_single_metric(arch, task, metric, mode='best')``. That is ``max(metric over epochs)``, taken
independently for every column of one run:

* for accuracies, SSIM, mIoU and ``neg_loss`` it is the best epoch;
* for losses (``*_loss``, ``*_l1_loss``) it is the **worst** epoch;
* a ``test_*`` value is the best test epoch, not the test value at the best validation epoch;
* ``time_elapsed`` (cumulative) is the total training time.

Rows are keyed by the official ``file_id`` (no arch string in the files); ``official_order``
derives the arch of each id as the PROVENANCE states: ids 0..3,255 are the macro skeletons, ids
3,256..7,351 the micro cells in base-4 counting order. The tests check its two checks: id 1 is
``64-2311-basic`` (the official README's ``api.index2arch(1)``) and every "best" validation metric
is at least the final-epoch one already in the stores.

Stored beside the final-epoch validation metric of each task, same dataset (task) and budget (the
task's epochs), ``aggregation="single"``, names from the shared vocabulary with a suffix that says
what the maximum over epochs is: ``<metric>_best`` where higher is better (``test_accuracy_best``,
``valid_ssim_best``, ``test_neg_loss_best``, ...), ``<loss>_worst`` for losses
(``test_loss_worst``, ``valid_l1_loss_worst``), and ``train_time`` (s) for the total time.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from nasbench.recipes.base import Part, align
from nasbench.sources import Source
from nasbench.store import Column

_REPO = "https://github.com/Zhenhan-Huang/NASGraph-Public"
_COMMIT = "1f8fd621c60a48728fcc890818b6b94eee62e4dc"
#: task -> sha256 of its file
DIGESTS = {
    "autoencoder": "17888f4fc25b54ba2c62dc011f952e212337aa16fa75fb5447306e1157b7fcdc",
    "class_object": "27490b4cf814237272eff729732f24f92f617bc907192b18f2cb2af6542b6bc3",
    "class_scene": "fd314559c718b389bce78571e4e506fb89f5a66ece6e776e593f3ac180cee469",
    "jigsaw": "8a1c2adb7877f9f982c3848c2d8d3260b2a01c8e70ec2c2c8e02cc065deced2d",
    "normal": "b3e465c7a519324d4390c090d179110e5d64bbf1c2374f0251aa0bd71ce5eec7",
    "room_layout": "43030a7d92972dcfb61881db26bb6e4b5309d19c2738ebc1422fe808792b86b1",
    "segmentsemantic": "35d9aefa0f0b56cf6727d7a0f6073e7bbfdd5d957a62df16ece2be010b123cff",
}
SOURCES = tuple(
    Source(
        path=f"transnas101/nasgraph-best-mode/transbench101_{task}.csv",
        sha256=digest,
        repo=_REPO,
        commit=_COMMIT,
        repo_path=f"data/transbench101_{task}.csv",
        license="Apache-2.0",
        note=f"TransNAS-Bench-101 {task}: train/valid/test metrics, max over epochs ('best' mode)",
    )
    for task, digest in DIGESTS.items()
)
#: TransNAS metric name -> (vocabulary name, unit, higher is better)
METRICS = {
    "top1": ("accuracy", "%", True),
    "top5": ("top5_accuracy", "%", True),
    "acc": ("pixel_accuracy", "%", True),
    "mIoU": ("miou", "%", True),
    "ssim": ("ssim", "SSIM", True),
    "neg_loss": ("neg_loss", "-loss", True),
    "loss": ("loss", "loss", False),
    "l1_loss": ("l1_loss", "L1", False),
}
N_MACRO = 3256
N_MICRO = 4096
MACRO_CHANNEL = 64


def macro_order() -> list[str]:
    """The macro skeletons in official ``file_id`` order (ids 0..3,255).

    For 4, 5, 6 modules: for each number of channel-doubling modules (1..L) and of downsampling
    modules (1..L), every choice of their positions (``itertools.combinations`` order, channel
    positions outer); module digit = 1 + doubles + 2 * downsamples; codes outside the 3,256-arch
    space are skipped.
    """
    from nasbench.spaces.transnas_macro import SPACE

    valid = set(SPACE.enumerate())
    order = []
    for n in (4, 5, 6):
        for ups, downs in itertools.product(range(1, n + 1), repeat=2):
            for up in itertools.combinations(range(n), ups):
                for down in itertools.combinations(range(n), downs):
                    code = "".join(str(1 + (i in up) + 2 * (i in down)) for i in range(n))
                    arch = f"{MACRO_CHANNEL}-{code}-basic"
                    if arch in valid:
                        order.append(arch)
    if len(order) != N_MACRO:
        raise ValueError(f"the TransNAS macro order rule gives {len(order)} archs; expected {N_MACRO}")
    return order


def micro_order() -> list[str]:
    """The micro cells in official ``file_id`` order (ids 3,256..7,351): base-4 counting."""
    return [f"64-41414-{a}_{b}{c}_{d}{e}{f}" for a, b, c, d, e, f in itertools.product(range(4), repeat=6)]


def official_order() -> list[str]:
    """Every TransNAS-Bench-101 arch string by official ``file_id`` (7,352: macro, then micro)."""
    return macro_order() + micro_order()


def columns(paths: list[Path], archs: list[str], space: str) -> list[Column]:
    """Best-mode columns of the ``space`` (``"micro"`` or ``"macro"``) archs, aligned with ``archs``.

    ``paths`` are ``SOURCES`` in order.

    Raises:
        ValueError: a file's ``file_id`` is not 0..7,351, or it has a column ``METRICS`` lacks.
    """
    import pandas as pd

    from nasbench.recipes.transnas101_micro import TASKS

    order = official_order()
    rows = slice(0, N_MACRO) if space == "macro" else slice(N_MACRO, N_MACRO + N_MICRO)
    keys = order[rows]
    out = []
    for (task, _), path, source in zip(DIGESTS.items(), paths, SOURCES):
        frame = pd.read_csv(path)
        if not np.array_equal(frame["file_id"].to_numpy(), np.arange(len(order))):
            raise ValueError(f"{source.path}: file_id is not 0..{len(order) - 1} in order")
        frame = frame.iloc[rows]
        epochs = TASKS[task][4]
        for field in frame.columns:
            if field == "file_id":
                continue
            values = align(keys, frame[field].to_numpy(np.float64), archs, what=source.path)
            if field == "time_elapsed":
                out.append(Column(
                    task, "train_time", values, unit="s", split="train", budget=epochs,
                    aggregation="single", direction="min",
                    description=(
                        f"TransNAS-Bench-101 time_elapsed in 'best' mode: the maximum over epochs "
                        f"of the cumulative time, i.e. the total of the {epochs}-epoch run (s)"
                    ),
                ))
                continue
            split, _, name = field.partition("_")
            if split not in ("train", "valid", "test") or name not in METRICS:
                raise ValueError(f"{source.path}: unexpected column {field!r}")
            metric, unit, higher = METRICS[name]
            suffix, which = ("best", "the best epoch") if higher else ("worst", "the WORST epoch")
            out.append(Column(
                task, f"{split}_{metric}_{suffix}", values, unit=unit, split=split, budget=epochs,
                aggregation="single", direction="max" if higher else "min",
                description=(
                    f"TransNAS-Bench-101 {field}: maximum over epochs (losses: worst epoch), "
                    f"here {which} of the {epochs}-epoch run, one run (API mode='best', each "
                    "column maximised on its own, so a test value is the best test epoch, not "
                    f"the test value at the best validation epoch); TransNAS {space}"
                ),
            ))
    return out


def part(space: str) -> Part:
    """The best-mode ``Part`` of the ``transnas101_<space>`` store."""

    def read(paths: list[Path], archs: list[str]) -> list[Column]:
        return columns(paths, archs, space)

    return Part(f"tnb101-{space}-best-mode", SOURCES, read,
                f"TransNAS-Bench-101 {space}: train/valid/test metrics, max over epochs")
