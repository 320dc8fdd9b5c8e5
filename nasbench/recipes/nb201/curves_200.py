"""Per-epoch 200-epoch curves of NB201 archs 0..199 (cifar10-valid), and the reference zero-cost
scores computed for them.

Source: ``curves-200-archs/nb201_cifar10valid_curves_arch0-199_clean_all_merged.csv`` (S. Mintal's
master's thesis repository, a fork of SamsungLabs zero-cost-nas). One row per arch (``arch_i`` =
NB201 index 0..199, not in order; ``arch_str``), made with the NB201 v1_1 API's
``get_more_info(i, 'cifar10-valid', epoch, hp='200', is_random=False)`` for every epoch: the seed-mean
``train_accs`` and ``val_accs`` (x-valid) after each of the 200 epochs, as Python-list strings.
Their last entries equal ``nasgraph_public``'s final accuracies exactly (the tests check it).

Stored under ``cifar10-valid`` at budget 200 as ``curve`` arrays of shape (15,625, 200), NaN rows
for every arch but 0..199: ``train_accuracy`` and ``valid_accuracy``. ``Benchmark.curve`` reads them.

The eight proxy columns are the scores of the zero-cost-nas reference code (Abdelfattah et al.,
ICLR 2021, "foresight" package: CIFAR-10, one batch of 64, seed 42, random data loader), stored as
``cifar10-valid/zc/<proxy>`` for the 200 archs: ``grad_norm``, ``snip``, ``grasp``, ``fisher``,
``jacov`` (the file's ``jacob_cov``), ``plain``, ``synflow`` and ``synflow_bn`` (synflow with
batch-norm kept in train mode). They are the reference to check this project's own proxies against.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from nasbench.recipes.base import Part, align, zc_column
from nasbench.sources import Source
from nasbench.store import Column
from nasbench.vocab import PROXY_DESCRIPTIONS

SOURCE = Source(
    path="nb201/curves-200-archs/nb201_cifar10valid_curves_arch0-199_clean_all_merged.csv",
    sha256="4688e06655cc17ee86f3e2f802409b5a89ba5a36e8ebc0c1d27f48ad6d5d6fc5",
    repo="https://github.com/SamuelMintal/Masters_Thesis",
    commit="5db5b991e4b0761e7c5a60c9f9e2ef18c175abb6",
    repo_path="___my_code/_clean_all_merged.csv",
    license="Apache-2.0",
    note="NB201 v1_1 cifar10-valid per-epoch train/valid accuracy (200 epochs), archs 0..199, "
         "with zero-cost-nas proxy scores",
)
DATASET = "cifar10-valid"
EPOCHS = 200
#: csv column -> (metric, split, what)
CURVES = {
    "train_accs": ("train_accuracy", "train", "training accuracy"),
    "val_accs": ("valid_accuracy", "valid",
                 "validation accuracy on x-valid (the held-out half of the CIFAR-10 training set)"),
}
#: csv column -> (proxy name in the store, what it is)
PROXIES = {
    "grad_norm": ("grad_norm", "gradient norm"),
    "snip": ("snip", PROXY_DESCRIPTIONS["snip"]),
    "grasp": ("grasp", PROXY_DESCRIPTIONS["grasp"]),
    "fisher": ("fisher", PROXY_DESCRIPTIONS["fisher"]),
    "jacob_cov": ("jacov", PROXY_DESCRIPTIONS["jacov"] + " (the file's jacob_cov)"),
    "plain": ("plain", PROXY_DESCRIPTIONS["plain"]),
    "synflow": ("synflow", PROXY_DESCRIPTIONS["synflow"]),
    "synflow_bn": ("synflow_bn", "SynFlow with batch-norm left in train mode"),
}


def read(paths: list[Path], archs: list[str]) -> list[Column]:
    """The two curves and eight proxy columns.

    Raises:
        ValueError: an ``arch_str`` is not the store's arch at ``arch_i``, or a curve does not have
            200 values.
    """
    import pandas as pd

    frame = pd.read_csv(paths[0])
    keys = frame["arch_str"].tolist()
    for index, key in zip(frame["arch_i"], keys):
        if archs[int(index)] != key:
            raise ValueError(
                f"{SOURCE.path}: arch_i {index} has arch_str {key!r}, but the store's arch "
                f"{index} is {archs[int(index)]!r}"
            )
    columns = []
    for field, (metric, split, what) in CURVES.items():
        curves = np.array([ast.literal_eval(text) for text in frame[field]], dtype=np.float64)
        if curves.shape != (len(frame), EPOCHS):
            raise ValueError(f"{SOURCE.path}: {field} has shape {curves.shape}; expected "
                             f"({len(frame)}, {EPOCHS})")
        columns.append(Column(
            dataset=DATASET,
            metric=metric,
            values=align(keys, curves, archs, what=SOURCE.path),
            unit="%",
            split=split,
            budget=EPOCHS,
            aggregation="curve",
            direction="max",
            description=(
                f"NB201 v1_1: {what} after every epoch of the 200-epoch schedule (trained on the "
                "train half of CIFAR-10), averaged over the seeds NB201 v1_1 ran; shape (archs, "
                "200 epochs); archs 0..199 only, NaN elsewhere"
            ),
        ))
    for field, (proxy, what) in PROXIES.items():
        columns.append(zc_column(
            DATASET, proxy, align(keys, frame[field].to_numpy(np.float64), archs, what=SOURCE.path),
            f"zero-cost proxy {what} from the zero-cost-nas reference implementation (Abdelfattah "
            "et al. 2021: CIFAR-10, one batch of 64, seed 42) on the NB201 network at "
            "initialisation; archs 0..199 only",
        ))
    return columns


PARTS = [Part("nb201-curves-200-archs", (SOURCE,), read,
              "NB201 cifar10-valid 200-epoch curves of archs 0..199 + zero-cost-nas proxies")]
