"""The ``accel_nasbench`` store: Accel-NASBench's measured training set (ImageNet, MnasNet space).

Source: ``anb_dataset/anb_dataset_jsons.tar.gz`` of afzalxo/Accel-NASBench, 5,138 JSON records
``result_<i>.json`` (the data the benchmark's XGBoost surrogates were fitted on), one evaluated
architecture each. Rows are the 5,125 distinct architectures (``nasbench.spaces.mnasnet``), in the
order of their first record; 13 architectures were evaluated twice.

What it covers (dataset ``imagenet``):

* ``valid_accuracy``, ``valid_top5_accuracy`` (%): ImageNet validation accuracy after the authors'
  reduced-cost ("proxified") training schedule, so lower than full training (42.9-67.1 %); one
  seed per record; the mean over the 1-2 records of an architecture, per record in ``seed="all"``.
* ``train_time`` (s) of that schedule; ``params`` (M); ``flops`` (M): the benchmark's ``macs``
  (multiply-accumulates).
* ``throughput/<device>`` (images/s, mean of the repeated measurements) and
  ``throughput_std/<device>`` on a100, 3090 (GPUs), tpuv2, tpuv3 (Cloud TPUs), zcu102, vck190
  (FPGAs; no std recorded); ``latency/zcu102``, ``latency/vck190`` (ms). A few entries are missing
  (tpuv3 44, tpuv2 37, 3090 3, FPGAs 2 records) and are NaN.

It is a sample of about 1e11 architectures, not the space; the published benchmark answers other
queries with surrogates, which nasbench does not include. Budget: the proxified schedule's epoch
count is not in the data, so arrays carry no budget.
"""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path
from typing import Any

import numpy as np

from nasbench.arrays import seed_mean
from nasbench.recipes.base import Part, Recipe
from nasbench.sources import Source
from nasbench.spaces.mnasnet import SPACE
from nasbench.store import Column

SOURCE = Source(
    path="extras/accel-nasbench/anb_dataset_jsons.tar.gz",
    sha256="3520992d42e368b7c08c99fc3f6612855b5b366bf98668a7f19d49f3131aa4ae",
    repo="https://github.com/afzalxo/Accel-NASBench",
    commit="42603572d530310e6bac7191d00cf45625a6b197",
    repo_path="anb_dataset/anb_dataset_jsons.tar.gz",
    license="Apache-2.0",
    note="5,138 evaluated MnasNet-space architectures: ImageNet accuracy, accelerator throughput",
)

DEVICES = {
    "a100": "NVIDIA A100 GPU", "3090": "NVIDIA RTX 3090 GPU", "tpuv2": "Cloud TPU v2",
    "tpuv3": "Cloud TPU v3", "zcu102": "Xilinx ZCU102 FPGA", "vck190": "Xilinx Versal VCK190 FPGA",
}


def load_records(path: Path) -> list[dict]:
    """The JSON records of the archive, ordered by their number ``i`` of ``result_<i>.json``."""
    records = []
    with tarfile.open(path, "r:gz") as tar:
        for member in tar.getmembers():
            match = re.search(r"result_(\d+)\.json$", member.name)
            # extractfile gives None only for members that are not regular files
            if match and member.isfile() and (stream := tar.extractfile(member)) is not None:
                records.append((int(match[1]), json.load(stream)))
    records.sort(key=lambda r: r[0])
    return [r for _, r in records]


def _archs(paths: list[Path]) -> list[str]:
    seen: dict[str, None] = {}
    for rec in load_records(paths[0]):
        seen.setdefault(SPACE.from_config(rec["architecture"]), None)
    return list(seen)


def _fields(rec: dict) -> dict[str, float]:
    out = {
        "valid_accuracy": rec["metrics"]["val_top1"],
        "valid_top5_accuracy": rec["metrics"]["val_top5"],
        "train_time": rec["metrics"]["train_time"],
        "params": rec["model_info"]["params"],
        "flops": rec["model_info"]["macs"],
    }
    for key, entry in rec["platform_perf"].items():
        kind, device = key.split("_", 1)
        entry = entry or {}
        out[f"{kind}/{device}"] = entry.get(f"{kind}_mean")
        out[f"{kind}_std/{device}"] = entry.get(f"{kind}_std")
    return {k: np.nan if v is None else float(v) for k, v in out.items()}


def _meta(metric: str) -> dict[str, Any]:
    kind, _, device = metric.partition("/")
    on = f"on the {DEVICES.get(device, device)}"
    table = {
        "valid_accuracy": ("%", "valid", "max", "ImageNet top-1 validation accuracy after the "
                           "proxified training schedule"),
        "valid_top5_accuracy": ("%", "valid", "max", "ImageNet top-5 validation accuracy after the "
                                "proxified training schedule"),
        "train_time": ("s", "", "min", "wall-clock time of the proxified training run"),
        "params": ("M", "", "", "parameters, millions"),
        "flops": ("M", "", "", "multiply-accumulates per image (the benchmark's 'macs'), millions"),
        "throughput": ("images/s", "", "max", f"inference throughput {on}, mean of repeated runs"),
        "throughput_std": ("images/s", "", "", f"standard deviation of the throughput {on}"),
        "latency": ("ms", "", "min", f"inference latency {on}, mean of repeated runs"),
    }
    unit, split, direction, text = table[kind]
    return {"unit": unit, "split": split, "direction": direction, "description": text}


def read(paths: list[Path], archs: list[str]) -> list[Column]:
    records = load_records(paths[0])
    row = {a: i for i, a in enumerate(archs)}
    runs: dict[int, list[dict[str, float]]] = {}
    for rec in records:
        runs.setdefault(row[SPACE.from_config(rec["architecture"])], []).append(_fields(rec))
    if len(runs) != len(archs):
        raise ValueError(f"{SOURCE.path}: {len(runs)} distinct archs, the store lists {len(archs)}")
    metrics = sorted({m for rs in runs.values() for r in rs for m in r})
    depth = max(len(rs) for rs in runs.values())
    columns = []
    for metric in metrics:
        per_run = np.full((len(archs), depth), np.nan)
        for i, rs in runs.items():
            for k, r in enumerate(rs):
                per_run[i, k] = r.get(metric, np.nan)
        if not np.isfinite(per_run).any():
            continue  # FPGA entries record no std at all
        meta = _meta(metric)
        if metric in ("params", "flops"):
            columns.append(Column("imagenet", metric, per_run[:, 0], aggregation="single", **meta))
            continue
        mean = seed_mean(per_run)
        desc = meta.pop("description")
        columns.append(Column("imagenet", metric, mean, aggregation="mean",
                              description=desc + "; mean over the 1-2 records of the arch", **meta))
        columns.append(Column("imagenet", metric, per_run, aggregation="seeds",
                              description=desc + "; one column per record (13 archs have two)",
                              **meta))
    return columns


RECIPE = Recipe(
    name="accel_nasbench",
    space="mnasnet",
    archs=_archs,
    arch_sources=(SOURCE,),
    parts=[Part("accel-nasbench-dataset", (SOURCE,), read, "5,138 measured records")],
    official_index=False,
    description=(
        "Accel-NASBench measured training set: 5,125 distinct MnasNet-space architectures (a "
        "sample of ~1e11; 13 measured twice) with ImageNet top-1/top-5 validation accuracy after "
        "a reduced-cost ('proxified') training schedule, train time, params, MACs ('flops'), and "
        "inference throughput on A100 and RTX 3090 GPUs, Cloud TPU v2/v3 and ZCU102/VCK190 FPGAs "
        "plus FPGA latency. The benchmark's XGBoost surrogates are not included."
    ),
)
