"""The ``spikenas`` store: SpikeNAS-Bench (spiking-network cells, Sun et al., IEEE TAI 2024).

Source: the per-architecture training logs ``data/<DATASET>/<arch_id>/train_process.txt`` of
tju-sun-lab/SpikeNAS-Bench, parsed (values unchanged) into one summary CSV and one per-epoch curve
file per dataset. Rows are the 15,625 cells of ``nasbench.spaces.spikenas`` in ``arch_id`` order.

What it covers:

* ``cifar10``: **complete** (15,625 archs). 14,935 were trained for 100 epochs and 690 for 200
  (as logged); they are stored under ``budget=100`` and ``budget=200`` respectively and never
  mixed, so **query with ``budget=100`` for the full table** (the 200-epoch arrays hold only those
  690 archs).
* ``cifar100``: **partial**, 276 archs (the repo ships a demonstration subset), 100 epochs.
* ``tinyimagenet``: **partial**, 292 archs, 100 epochs; 97 of their logs hold a single row, so
  they have final values but no curves (and their test value equals the validation value).

Splits (from the training script): CIFAR: train on one half of the training images, ``valid`` =
the other half, ``test`` = the official test set. TinyImageNet: train on one half of the training
images, ``valid`` = the official validation set, ``test`` = the other half of the training images.

Metrics per dataset: ``train_accuracy``, ``valid_accuracy``, ``test_accuracy`` (%),
``train_loss``, ``valid_loss`` (cross-entropy), TinyImageNet also top-5 accuracies; final values
(``single``) and per-epoch ``curve`` arrays ``(n, epochs)`` where the log has them;
``train_time`` (s, the log's "Elapsed time"), ``params`` (M), ``firing_rate/<layer>`` (mean spike
rate of each LIF layer at test time; NaN where the layer has no LIF neuron, the log's -1) and
``logged_epochs`` (rows in the arch's log). One run per arch (seed = arch_id). License: none stated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasbench.recipes.base import Part, Reader, Recipe
from nasbench.sources import Source
from nasbench.spaces.spikenas import SPACE
from nasbench.store import Column

REPO = "https://github.com/tju-sun-lab/SpikeNAS-Bench"
COMMIT = "1050c25d0116d2808a9c9164c3469936b12d7958"
DIGESTS = {
    "cifar10": (
        "129de30558254e7edc3cbce6c269c9d5bc59d5f4df2f15f8cab20e1107ae2f76",
        "300b1faa0498be1157bf21e5b5c2d6322c148fd5e518a139daac7c87c9bc8756",
        "CIFAR10",
    ),
    "cifar100": (
        "a3fb4ecc2bcee280c1ee40432e8d8251a8fbb667406b0e625f0954740f207295",
        "5098c30f2331f24333d76f641f2c4f599400b5def3e505021b0de80e3ed12b19",
        "CIFAR100",
    ),
    "tinyimagenet": (
        "eb753d05dc7a54214b0139c84faa3cdc9e7ae771b40d28e07a7c2e53c04de783",
        "11e7347997f127c4e14d9960bf0ea9f9730e5b52f262d1e89c949510c2716ba9",
        "TinyImagenet",
    ),
}


def _sources(dataset: str) -> tuple[Source, Source]:
    summary, curves, folder = DIGESTS[dataset]
    common = dict(repo=REPO, commit=COMMIT, repo_path=f"data/{folder}/<arch_id>/train_process.txt",
                  license="none stated")
    return (
        Source(path=f"extras/spikenas-bench/spikenas_{dataset}_summary.csv", sha256=summary,
               note=f"SpikeNAS-Bench {folder} logs: final values per arch", **common),
        Source(path=f"extras/spikenas-bench/spikenas_{dataset}_curves.npz", sha256=curves,
               note=f"SpikeNAS-Bench {folder} logs: per-epoch curves (NaN-padded)", **common),
    )


#: firing_rate_<k> columns -> layer, in the order the training script monitors them
FIRING_LAYERS = (
    *(f"cell1_edge{a}{b}" for a, b in ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))),
    *(f"cell2_edge{a}{b}" for a, b in ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))),
    "downconv1", "last_act", "classifier", "all",
)
SPLIT_TEXT = {
    "cifar10": {"train": "one half of the CIFAR-10 training images",
                "valid": "the other half of the CIFAR-10 training images",
                "test": "the official CIFAR-10 test set"},
    "cifar100": {"train": "one half of the CIFAR-100 training images",
                 "valid": "the other half of the CIFAR-100 training images",
                 "test": "the official CIFAR-100 test set"},
    "tinyimagenet": {"train": "one half of the TinyImageNet training images",
                     "valid": "the official TinyImageNet validation set",
                     "test": "the other half of the training images"},
}
#: (summary column or None, curve key or None, metric, unit, split, direction)
METRICS = (
    ("final_train_acc", "train_acc", "train_accuracy", "%", "train", "max"),
    ("final_val_acc", "val_acc", "valid_accuracy", "%", "valid", "max"),
    ("test_acc", None, "test_accuracy", "%", "test", "max"),
    ("test_top5", None, "test_top5_accuracy", "%", "test", "max"),
    (None, "train_top5", "train_top5_accuracy", "%", "train", "max"),
    (None, "val_top5", "valid_top5_accuracy", "%", "valid", "max"),
    (None, "train_loss", "train_loss", "cross-entropy", "train", "min"),
    (None, "val_loss", "valid_loss", "cross-entropy", "valid", "min"),
)


def _reader(dataset: str) -> Reader:
    def read(paths: list[Path], archs: list[str]) -> list[Column]:
        import pandas as pd

        summary = pd.read_csv(paths[0])
        with np.load(paths[1]) as npz:
            curves = {k: npz[k] for k in npz.files}
        ids = summary["arch_id"].to_numpy(dtype=np.int64)
        if not np.array_equal(curves.pop("arch_id"), ids):
            raise ValueError(f"{paths[1]}: arch_id order differs from {paths[0]}")
        rows = _rows(summary, archs, paths[0])
        n = len(archs)
        logged = summary["n_epochs"].to_numpy(dtype=np.int64)
        columns = [
            _col(dataset, "params", n, rows, summary["params"].to_numpy() / 1e6, unit="M",
                 description="trainable parameters of the whole network"),
            _col(dataset, "logged_epochs", n, rows, logged.astype(np.float64), unit="epochs",
                 description="rows in the arch's training log (100 or 200 when complete; 1 for "
                 "the TinyImageNet logs that hold only a final row)"),
        ]
        budgets = sorted({b for b in logged.tolist() if b > 1})
        for budget in budgets:
            # a 1-row log is the final row of a 100-epoch run (train time and accuracy say so)
            members = (logged == budget) | ((logged == 1) & (budget == 100))
            full = logged == budget
            columns += _budget_columns(dataset, budget, summary, curves, rows, members, full, n)
        return columns

    return read


def _rows(summary, archs: list[str], where: Path) -> np.ndarray:
    ops = summary[["op_01", "op_02", "op_03", "op_12", "op_13", "op_23"]].to_numpy(dtype=np.int64)
    ids = summary["arch_id"].to_numpy(dtype=np.int64)
    for arch_id, op_ids in zip(ids, ops):
        if SPACE.index(SPACE.from_op_ids(op_ids)) != arch_id:
            raise ValueError(f"{where}: arch_id {arch_id} does not match its ops {op_ids.tolist()}")
    if len(archs) != SPACE.size or archs[int(ids[0])] != SPACE.arch_at(int(ids[0])):
        raise ValueError("the spikenas store's rows must be the 15,625 cells in arch_id order")
    return ids


def _col(
    dataset: str, metric: str, n: int, rows: np.ndarray, values: np.ndarray,
    aggregation: str = "single", **kw,
) -> Column:
    out = np.full((n, *values.shape[1:]), np.nan)
    out[rows] = values
    return Column(dataset=dataset, metric=metric, values=out, aggregation=aggregation, **kw)


def _budget_columns(
    dataset: str, budget: int, summary, curves: dict[str, np.ndarray],
    rows: np.ndarray, members: np.ndarray, full: np.ndarray, n: int,
) -> list[Column]:
    split_text = SPLIT_TEXT[dataset]
    who = f"{int(members.sum()):,} archs trained for {budget} epochs"
    columns: list[Column] = []
    for summary_col, curve_key, metric, unit, split, direction in METRICS:
        curve = curves.get(curve_key) if curve_key else None
        if summary_col is not None and summary_col not in summary.columns:
            continue
        if summary_col is None and curve is None:
            continue
        where = f"on {split_text[split]}"
        if curve is not None:
            epochs = curve[:, :budget].astype(np.float64)
            epochs[~full] = np.nan
            if summary_col is not None:
                final = summary[summary_col].to_numpy(dtype=np.float64)
            else:  # the last logged value; a 1-row log's only row is its final epoch
                final = np.where(full, epochs[:, -1], curve[:, 0].astype(np.float64))
            columns.append(_col(
                dataset, metric, n, rows[full], epochs[full], unit=unit, split=split,
                budget=budget, direction=direction, aggregation="curve",
                description=f"{metric.replace('_', ' ')} {where} after each epoch "
                f"(index e = epoch e+1); {who}, curves only where the log has every epoch",
            ))
        else:
            final = summary[summary_col].to_numpy(dtype=np.float64)
        columns.append(_col(
            dataset, metric, n, rows[members], final[members], unit=unit, split=split,
            budget=budget, direction=direction,
            description=f"final-epoch {metric.replace('_', ' ')} {where}; {who}",
        ))
    time_s = summary["train_time_s"].to_numpy(dtype=np.float64)
    columns.append(_col(
        dataset, "train_time", n, rows[members], time_s[members], unit="s", budget=budget,
        direction="min", description=f"wall-clock time of the whole run (log's 'Elapsed time'); {who}",
    ))
    for k, layer in enumerate(FIRING_LAYERS):
        rate = summary[f"firing_rate_{k}"].to_numpy(dtype=np.float64)
        rate = np.where(rate == -1.0, np.nan, rate)
        what = "all LIF layers" if layer == "all" else f"the LIF neurons of {layer}"
        columns.append(_col(
            dataset, f"firing_rate/{layer}", n, rows[members], rate[members], unit="fraction",
            budget=budget, direction="",
            description=f"mean spike firing rate of {what} on the test images after training "
            f"(NaN where the layer has no LIF neuron); {who}",
        ))
    return columns


PARTS = [
    Part(f"spikenas-{dataset}", _sources(dataset), _reader(dataset), f"SpikeNAS-Bench {dataset} logs")
    for dataset in DIGESTS
]

RECIPE = Recipe(
    name="spikenas",
    space="spikenas",
    archs=lambda: list(SPACE.enumerate()),
    parts=PARTS,
    description=(
        "SpikeNAS-Bench: 15,625 spiking-network cells (NB201's cell with zero, identity and three "
        "LIF-neuron + 3x3-conv ops), one run each. cifar10 is complete: 14,935 archs at "
        "budget=100 epochs and 690 trained for 200 epochs at budget=200 (query budget=100 for the "
        "full 100-epoch table). cifar100 (276 archs) and tinyimagenet (292 archs, 97 of them "
        "without curves) are partial demonstration subsets. Final train/valid/test accuracy, "
        "per-epoch curves, train time, params and per-layer firing rates. License not stated."
    ),
)
