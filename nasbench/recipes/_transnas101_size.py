"""TransNAS-Bench-101 parameters and FLOPs, for both TransNAS stores: the project's own counts.

Read from ``data/transnas_size/transnas101_<space>.csv.gz``, made by
``python -m predictors.networks.transnas_size`` from the networks of
``predictors.networks.transnas_macro`` (see ``data/transnas_size/README.md``). Nothing is read
from the raw-data folder and no torch is imported here: the recipe reads the committed table.

The definitions are those of the benchmark's ``model_info`` tool (yawen-d/TransNASBench,
``tools/get_model_info.py``), whose numbers (``encoder_params``, ``encoder_FLOPs``, ...) are in
the official ``.pth`` file that is not available here, so they are not compared:

* ``params`` (every task): parameters of the backbone (the benchmark's ``encoder_params``: stem
  and cells or blocks, BatchNorm scale and shift included), in millions. The seven tasks share the
  backbone, so the value is the same on every task.
* ``flops`` (every task): multiply-accumulates of the backbone's convolutions for one 224x224
  image (the tool's FLOPs input; training used 256x256), in millions; for ``jigsaw`` one 64x64
  tile, as the tool counted the jigsaw encoder. BatchNorm, ReLU, additions are not counted (the
  tool's ``thop`` also counts BatchNorm, by a version-dependent rule).
* ``model_params`` / ``model_flops`` (``class_object``, ``class_scene`` only): the backbone plus
  the classification decoder (global average pool, ``Linear(C_last, classes)``: 75 / 47 classes),
  the benchmark's ``model_params`` / ``model_FLOPs`` definitions. The other tasks' decoders are
  not built, so they have no ``model_*`` columns.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasbench.config import PROJECT_ROOT
from nasbench.errors import SourceMissingError
from nasbench.recipes.base import Part, align
from nasbench.store import Column

RESULTS_DIR = PROJECT_ROOT / "data" / "transnas_size"
COMMAND = "python -m predictors.networks.transnas_size"
#: tasks whose classification decoder is counted (``model_*`` columns)
HEAD_TASKS = {"class_object": 75, "class_scene": 47}
#: FLOPs input of the encoder per task (the benchmark's model_info tool)
FLOPS_INPUT = {"jigsaw": "one 64x64 jigsaw tile (the benchmark counts the jigsaw encoder per tile)"}
FLOPS_INPUT_DEFAULT = "one 224x224 image (the benchmark's model_info input; training used 256x256)"


def path_of(space: str, folder: Path = RESULTS_DIR) -> Path:
    """The committed table of ``space`` (``"micro"`` or ``"macro"``)."""
    if space not in ("micro", "macro"):
        raise ValueError(f"unknown TransNAS space {space!r}; use 'micro' or 'macro'")
    return folder / f"transnas101_{space}.csv.gz"


def columns(archs: list[str], space: str, folder: Path = RESULTS_DIR) -> list[Column]:
    """``params`` / ``flops`` on every task and ``model_params`` / ``model_flops`` on the two
    classification tasks, in millions, aligned with ``archs``.

    Raises:
        SourceMissingError: the table is missing (the message gives the command that makes it).
        ValueError: an arch of the table is not in ``archs`` (``align``'s message).
    """
    import pandas as pd

    from nasbench.recipes.transnas101_micro import TASKS

    path = path_of(space, folder)
    if not path.is_file():
        raise SourceMissingError(
            f"TransNAS size table {str(path)!r} is missing; make it with `{COMMAND}`"
        )
    frame = pd.read_csv(path)
    keys = frame["arch"].tolist()
    what = f"data/transnas_size/{path.name}"

    def millions(field: str) -> np.ndarray:
        return align(keys, frame[field].to_numpy(np.float64) / 1e6, archs, what=what)

    params = millions("encoder_params")
    flops = {"": millions("encoder_flops"), "jigsaw": millions("encoder_flops_jigsaw")}
    origin = f"counted from the built network by `{COMMAND}` (the project's own count)"
    backbone = f"the TransNAS {space} backbone (stem and cells/blocks)"
    out = []
    for task in TASKS:
        image = FLOPS_INPUT.get(task, FLOPS_INPUT_DEFAULT)
        out += [
            Column(task, "params", params, unit="M", aggregation="single", direction="min",
                   description=f"parameters of {backbone}, BatchNorm scale and shift included, "
                               "the task decoder not (the benchmark's encoder_params; the same on "
                               "every task); " + origin),
            Column(task, "flops", flops.get(task, flops[""]), unit="M", aggregation="single",
                   direction="min",
                   description=f"multiply-accumulates of the convolutions of {backbone} for "
                               f"{image}; BatchNorm, ReLU, additions and the task decoder not "
                               "counted (the benchmark's encoder_FLOPs); " + origin),
        ]
        if task in HEAD_TASKS:
            head = (f"{backbone} plus the {task} decoder (global average pool, "
                    f"Linear(C_last, {HEAD_TASKS[task]}))")
            out += [
                Column(task, "model_params", millions(f"model_params_{task}"), unit="M",
                       aggregation="single", direction="min",
                       description=f"parameters of {head} (the benchmark's model_params); "
                                   + origin),
                Column(task, "model_flops", millions(f"model_flops_{task}"), unit="M",
                       aggregation="single", direction="min",
                       description=f"multiply-accumulates of the convolutions and the linear layer "
                                   f"of {head} for {image} (the benchmark's model_FLOPs); "
                                   + origin),
            ]
    return out


def part(space: str) -> Part:
    """The recipe part of the ``space`` (``"micro"`` or ``"macro"``) store."""

    def read(paths: list[Path], archs: list[str]) -> list[Column]:
        return columns(archs, space)

    return Part(
        f"tnb101-{space}-size", (), read,
        f"params / FLOPs of the TransNAS {space} networks (data/transnas_size, `{COMMAND}`)",
    )
