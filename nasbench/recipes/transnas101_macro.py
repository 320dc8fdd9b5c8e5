"""The ``transnas101_macro`` store: TransNAS-Bench-101 macro (skeleton) space, 7 tasks.

Rows: the 3,256 skeletons (space ``transnas_macro``, strings ``64-<skeleton>-basic``) in sorted
string order (``official_index`` False; the official ``file_id`` order is derived in
``_transnas101_best.macro_order`` to read the best-mode files).

Source: ``transnas101/tnb101_macro_final_valid.csv``, merged like the micro table from NASLib's
NAS-Bench-Suite-Zero zips (see ``transnas101_micro`` for the task metrics, their directions and
epochs, which are the same; the tables share ``read_csv``). ``zc/zen`` on all 7 tasks,
``zc/epe_nas`` and ``zc/synflow`` on class_object, class_scene, jigsaw, room_layout; NASLib's
failure sentinel -1e8 is NaN (no macro network fails). ``zc/epe_nas`` on jigsaw is 0 for most
skeletons (as published).

The "best"-mode train / valid / test metrics (maximum over epochs: ``*_best``, losses ``*_worst``,
``train_time``) come from ``_transnas101_best``, as for micro.

Parameters and FLOPs (the project's own count from the built networks, ``data/transnas_size``;
``nasbench.recipes._transnas101_size``): ``params`` / ``flops`` (M) of the backbone on every task
(the benchmark's ``encoder_params`` / ``encoder_FLOPs`` definitions: 224x224 input, jigsaw one 64x64
tile), ``model_params`` / ``model_flops`` with the linear head on class_object and class_scene.
"""

from __future__ import annotations

from pathlib import Path

from nasbench.recipes import _transnas101_best, _transnas101_size
from nasbench.recipes.base import Part, Recipe
from nasbench.recipes.transnas101_micro import MERGED_FROM, NASLIB_COMMIT, NASLIB_REPO, read_csv
from nasbench.sources import Source
from nasbench.spaces.transnas_macro import SPACE
from nasbench.store import Column

SOURCE = Source(
    path="transnas101/tnb101_macro_final_valid.csv",
    sha256="b86c373c1d4f65263189469b9968b5291a68223ebf5ebe356f7dcba601cc5bc0",
    repo=NASLIB_REPO,
    commit=NASLIB_COMMIT,
    repo_path=MERGED_FROM,
    license="Apache-2.0",
    note="TransNAS-Bench-101 macro: final-epoch validation metric of 7 tasks + zen/epe_nas/synflow",
)


def _read(paths: list[Path], archs: list[str]) -> list[Column]:
    return read_csv(paths[0], archs, "macro")


RECIPE = Recipe(
    name="transnas101_macro",
    space="transnas_macro",
    archs=lambda: list(SPACE.enumerate()),
    parts=[
        Part("tnb101-macro", (SOURCE,), _read, "TransNAS-Bench-101 macro final validation metrics"),
        _transnas101_best.part("macro"),
        _transnas101_size.part("macro"),
    ],
    official_index=False,
    results_dir=_transnas101_size.RESULTS_DIR,
    description=(
        "TransNAS-Bench-101 macro-level space: 3,256 ResNet-block skeletons (strings "
        "'64-<skeleton>-basic', sorted) on 7 Taskonomy tasks, final-epoch validation metric per "
        "task (class_object, class_scene, jigsaw: valid_accuracy; room_layout: valid_neg_loss; "
        "segmentsemantic: valid_pixel_accuracy; normal, autoencoder: valid_ssim; all "
        "higher-is-better) with zc/zen (7 tasks), zc/epe_nas and zc/synflow (4 tasks); beside "
        "them every train / valid / test metric of the official record as its maximum over "
        "epochs (API mode 'best'): '<metric>_best' (e.g. test_accuracy_best), losses "
        "'<loss>_worst' (the worst epoch), train_time the total. "
        "Per task params / flops (M): the backbone's parameters and convolution MACs (224x224 "
        "image; jigsaw one 64x64 tile), counted by this project from the built networks "
        "(data/transnas_size); class_object / class_scene also model_params / model_flops "
        "(backbone + linear head)."
    ),
)
