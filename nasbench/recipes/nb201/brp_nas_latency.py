"""BRP-NAS / Eagle desktop-CPU latency of the NB201 cells (Intel Core i7-7820X, fp32).

Source: ``brp-nas-eagle-latency/desktop-cpu-core-i7-7820x-fp32.pkl``, the unchanged Eagle device
pickle (Dudziak et al., NeurIPS 2020) from a fork of SamsungLabs/eagle: a dict ``{op-id 6-tuple:
latency in seconds}``. Keys use the official op ids in arch-string edge order
(``SPACE.from_op_ids``). The CSV next to it is a derived copy; the tests compare the store with it.

Stored as ``cifar10/latency/core_i7_7820x`` in **milliseconds** (the file's seconds x 1000),
budget None, single. Eagle measured the NB201 CIFAR-10 networks. 15,284 archs are measured; the
other 341 are the cells whose output is cut off from the input (all paths contain ``none``), which
Eagle does not run: they are NaN.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasbench.recipes.base import Part, align
from nasbench.sources import Source, load_pickle
from nasbench.spaces.nb201 import SPACE
from nasbench.store import Column

SOURCE = Source(
    path="nb201/brp-nas-eagle-latency/desktop-cpu-core-i7-7820x-fp32.pkl",
    sha256="27f61a49ce38eac55c33070ae5cbabc64919daaa8f69d99828e5000b14750046",
    repo="https://github.com/zheng-ningxin/brp-nas",
    commit="53313d8dc7f3ef53fe8551824fdf9f55bd353677",
    repo_path="examples/desktop-cpu-core-i7-7820x-fp32.pkl",
    license="Apache-2.0",
    note="Eagle/BRP-NAS NB201 latency (s) on an Intel Core i7-7820X CPU, fp32",
)

MS_PER_S = 1000.0


def read(paths: list[Path], archs: list[str]) -> list[Column]:
    table = load_pickle(paths[0])  # unpickles only bytes that match the sha256 pin
    keys = [SPACE.from_op_ids(ids) for ids in table]
    seconds = np.fromiter(table.values(), dtype=np.float64, count=len(table))
    return [
        Column(
            dataset="cifar10",
            metric="latency/core_i7_7820x",
            values=align(keys, seconds * MS_PER_S, archs, what=SOURCE.path),
            unit="ms",
            split="",
            budget=None,
            aggregation="single",
            description=(
                "BRP-NAS/Eagle inference latency of the NB201 CIFAR-10 network on an Intel Core "
                "i7-7820X desktop CPU, fp32 (converted from s); the 341 cells with no "
                "input-to-output path are not measured (NaN)"
            ),
            direction="min",
        )
    ]


PARTS = [
    Part(
        "brp-nas-eagle-latency",
        (SOURCE,),
        read,
        "BRP-NAS/Eagle Core i7-7820X CPU latency",
    )
]
