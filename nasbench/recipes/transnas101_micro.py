"""The ``transnas101_micro`` store: TransNAS-Bench-101 cell-level space, 7 tasks (+ 3 extra).

Rows: the 4,096 cells (space ``transnas_micro``) in sorted string order, which is also their
official order: official ``file_id`` = 3,256 + row (``_transnas101_best.official_order``; the
official index counts the 3,256 macro skeletons first, so ``official_index`` is False).

Source: ``transnas101/tnb101_micro_final_valid.csv``, a table the data hunter merged, values
unchanged, from NASLib's NAS-Bench-Suite-Zero result zips (``all_benchmarks_zen.zip``,
``tnb101_classification_{epe_nas,synflow}.zip``, ``tnb101_macro_zen.zip``; see its PROVENANCE).
Every value is NASLib's ``get_single_metric(arch, task, metric, mode='final')`` on the official
benchmark, i.e. the validation metric at the final epoch of the official schedule, one run.

Tasks (Taskonomy subsets), each with its own metric and direction (``TASKS``):

================  ========================  =====  =====  ==========================================
task              metric                    unit   epochs what
================  ========================  =====  =====  ==========================================
class_object      ``valid_accuracy``        %      25     top-1 (TransNAS ``valid_top1``), 75 classes
class_scene       ``valid_accuracy``        %      25     top-1 (``valid_top1``), 47 scene classes
jigsaw            ``valid_accuracy``        %      10     top-1 (``valid_top1``), 1000 permutations
room_layout       ``valid_neg_loss``        -MSE   25     minus the L2 (MSE) loss; higher is better
segmentsemantic   ``valid_pixel_accuracy``  %      30     pixel accuracy (``valid_acc``), 17 classes
normal            ``valid_ssim``            SSIM   30     surface normals, SSIM in 0..1
autoencoder       ``valid_ssim``            SSIM   30     reconstruction, SSIM in 0..1
================  ========================  =====  =====  ==========================================

All seven are "higher is better" as stored. Epochs are the official ``num_epochs`` of each task's
config (``configs/train_from_scratch/<task>/config.py`` in yawen-d/TransNASBench).

Zero-cost proxies (NASLib, at initialisation, on the task's network): ``zc/zen`` on all 7 tasks,
``zc/epe_nas`` and ``zc/synflow`` on class_object, class_scene, jigsaw, room_layout. NASLib's
failure sentinel -1e8 is NaN (the 169 cells with no input-to-output path fail for zen and
epe_nas; synflow scores them 0). ``zc/epe_nas`` on jigsaw is 0 for most cells (as published).

Beside each task's final-epoch metric, every train / valid / test metric of the official record in
the API's "best" mode, i.e. its maximum over epochs (``nasbench.recipes._transnas101_best``, shared
with ``transnas101_macro``): ``<metric>_best`` where higher is better (``test_accuracy_best``,
``valid_ssim_best``, ``test_neg_loss_best``, ...), ``<loss>_worst`` for losses (the maximum of a loss
is its worst epoch) and ``train_time`` (s, the run's total).

Parameters and FLOPs (the project's own count from the built networks, ``data/transnas_size``;
``nasbench.recipes._transnas101_size``): ``params`` / ``flops`` (M) of the backbone on every task
(the benchmark's ``encoder_params`` / ``encoder_FLOPs`` definitions: 224x224 input, jigsaw one 64x64
tile), ``model_params`` / ``model_flops`` with the linear head on class_object and class_scene.

Extra datasets ``ninapro``, ``scifar100``, ``svhn``: 192 cells trained by NASLib's authors on
NAS-Bench-360-style tasks, with flops, params and 11 proxies (``nasbench.recipes.naslib_zc_tasks``).
These are *not* TransNAS-Bench-101 results.

The ``TASKS`` table and ``read_csv`` are shared with ``transnas101_macro``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasbench.recipes import _transnas101_best, _transnas101_size, naslib_zc_tasks
from nasbench.recipes.base import Part, Recipe, align, zc_column
from nasbench.sources import Source
from nasbench.spaces.transnas_micro import SPACE
from nasbench.store import Column
from nasbench.vocab import PROXY_DESCRIPTIONS, naslib_missing

NASLIB_REPO = "https://github.com/automl/NASLib"
NASLIB_COMMIT = "ba4ffd845db508e475085f48f3bd3f40af05b551"
MERGED_FROM = (
    "naslib/data/zc_benchmarks/all_benchmarks_zen.zip, run/results/benchmarks/"
    "tnb101_{macro_zen,classification_epe_nas,classification_synflow}.zip (merged)"
)

SOURCE = Source(
    path="transnas101/tnb101_micro_final_valid.csv",
    sha256="2082fb07a4f3a60fcbd3ea0d2e05a93ef0ab2bf05778ffbf2b21e17dccf61e95",
    repo=NASLIB_REPO,
    commit=NASLIB_COMMIT,
    repo_path=MERGED_FROM,
    license="Apache-2.0",
    note="TransNAS-Bench-101 micro: final-epoch validation metric of 7 tasks + zen/epe_nas/synflow",
)

#: task -> (csv column, metric, unit, direction, official epochs, what the value is)
TASKS: dict[str, tuple[str, str, str, str, int, str]] = {
    "class_object": (
        "valid_class_object", "valid_accuracy", "%", "max", 25,
        "top-1 validation accuracy (TransNAS valid_top1) on Taskonomy object classification "
        "(75 classes)",
    ),
    "class_scene": (
        "valid_class_scene", "valid_accuracy", "%", "max", 25,
        "top-1 validation accuracy (TransNAS valid_top1) on Taskonomy scene classification "
        "(47 classes)",
    ),
    "jigsaw": (
        "valid_jigsaw", "valid_accuracy", "%", "max", 10,
        "top-1 validation accuracy (TransNAS valid_top1) of predicting the jigsaw permutation "
        "(1000 classes)",
    ),
    "room_layout": (
        "valid_room_layout", "valid_neg_loss", "-MSE", "max", 25,
        "TransNAS valid_neg_loss: minus the validation L2 (MSE) loss of the 9 room-layout "
        "parameters; closer to 0 is better",
    ),
    "segmentsemantic": (
        "valid_segmentsemantic", "valid_pixel_accuracy", "%", "max", 30,
        "validation pixel accuracy (TransNAS valid_acc) of semantic segmentation (17 classes)",
    ),
    "normal": (
        "valid_normal", "valid_ssim", "SSIM", "max", 30,
        "validation SSIM (0..1, TransNAS valid_ssim) of surface-normal prediction",
    ),
    "autoencoder": (
        "valid_autoencoder", "valid_ssim", "SSIM", "max", 30,
        "validation SSIM (0..1, TransNAS valid_ssim) of image reconstruction",
    ),
}
#: the proxies of the TransNAS tables, in their column order
PROXIES = {name: PROXY_DESCRIPTIONS[name] for name in ("zen", "epe_nas", "synflow")}


def read_csv(path: Path, archs: list[str], space_name: str) -> list[Column]:
    """Columns of a ``tnb101_<space>_final_valid.csv`` table, aligned with ``archs``.

    Raises:
        ValueError: a task column is missing, or a row's arch string is not in ``archs``.
    """
    import pandas as pd

    frame = pd.read_csv(path, dtype={"naslib_op_indices": str})
    what = f"{path.name}"
    keys = frame["arch_str"].tolist()
    cols: list[Column] = []
    for task, (field, metric, unit, direction, epochs, about) in TASKS.items():
        if field not in frame:
            raise ValueError(f"{what}: column {field!r} for task {task!r} is missing")
        cols.append(
            Column(
                dataset=task,
                metric=metric,
                values=align(keys, frame[field].to_numpy(np.float64), archs, what=what),
                unit=unit,
                split="valid",
                budget=epochs,
                aggregation="single",
                description=(
                    f"{about}; final epoch of the official {epochs}-epoch schedule, one run "
                    f"(TransNAS-Bench-101 {space_name}, queried through NASLib)"
                ),
                direction=direction,
            )
        )
        for proxy, label in PROXIES.items():
            name = f"{proxy}_{task}"
            if name not in frame:
                continue
            values = naslib_missing(frame[name].to_numpy(np.float64))
            cols.append(zc_column(
                task, proxy, align(keys, values, archs, what=what),
                f"zero-cost proxy {label} at initialisation on the {task} network "
                "(NAS-Bench-Suite-Zero); NaN where NASLib recorded its failure sentinel. "
                "Higher = better in Suite-Zero's use",
            ))
    return cols


def _read(paths: list[Path], archs: list[str]) -> list[Column]:
    return read_csv(paths[0], archs, "micro")


def _convert_9x(key: str) -> str:
    return SPACE.from_naslib(key, legacy=True)


def _read_9x(paths: list[Path], archs: list[str]) -> list[Column]:
    return naslib_zc_tasks.columns(paths[0], archs, "transbench101_micro", _convert_9x)


RECIPE = Recipe(
    name="transnas101_micro",
    space="transnas_micro",
    archs=lambda: list(SPACE.enumerate()),
    parts=[
        Part("tnb101-micro", (SOURCE,), _read, "TransNAS-Bench-101 micro final validation metrics"),
        Part(
            "suite-zero-9x-tnb101-micro",
            (naslib_zc_tasks.SOURCE,),
            _read_9x,
            "NAS-Bench-Suite-Zero extra tasks, TransNAS micro cells",
        ),
        _transnas101_best.part("micro"),
        _transnas101_size.part("micro"),
    ],
    official_index=False,
    results_dir=_transnas101_size.RESULTS_DIR,
    description=(
        "TransNAS-Bench-101 cell-level (micro) space: 4,096 cells (strings '64-41414-a_bc_def', "
        "sorted) on 7 Taskonomy tasks, final-epoch validation metric per task (class_object, "
        "class_scene, jigsaw: valid_accuracy; room_layout: valid_neg_loss; segmentsemantic: "
        "valid_pixel_accuracy; normal, autoencoder: valid_ssim; all higher-is-better) with "
        "zc/zen (7 tasks), zc/epe_nas and zc/synflow (4 tasks); beside them every train / valid / "
        "test metric of the official record as its maximum over epochs (API mode 'best'): "
        "'<metric>_best' (e.g. test_accuracy_best), losses '<loss>_worst' (the worst epoch), "
        "train_time the total. Extra datasets ninapro, "
        "scifar100, svhn: 192 cells trained by NAS-Bench-Suite-Zero's authors (not TransNAS). "
        "Per task params / flops (M): the backbone's parameters and convolution MACs (224x224 "
        "image; jigsaw one 64x64 tile), counted by this project from the built networks "
        "(data/transnas_size); class_object / class_scene also model_params / model_flops "
        "(backbone + linear head)."
    ),
)
