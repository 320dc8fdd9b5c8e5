"""The ``ecnas`` store: EC-NAS-Bench's raw 4-epoch runs of its small spaces (4V9E, 5V9E).

Source: PedramBakh/EC-NAS-Bench ``ecnas/vendors/ec_nasbench/nasbench/data``: the graph lists
``generated_graphs_{4V9E,5V9E}.json`` and the per-run ``results.json`` files (merged into one CSV
per space, values unchanged). Rows are the 2,532 distinct NAS-Bench-101 cells of at most 5 vertices
(``nasbench.spaces.ecnas``: NB101 canonical strings, in NB101's official generator order); that is
every cell of the 5V9E space, and each graph's ``model_hash`` is checked against NB101's hash.

Datasets (both CIFAR-10, 4 training epochs on one NVIDIA Quadro RTX 6000):

* ``cifar10-4V9E``: the 91 cells of at most 4 vertices, 3 repeats each (``seed="all"`` gives the
  repeats, the default their mean); evaluated after 0, 1 and 4 epochs.
* ``cifar10-5V9E``: all 2,532 cells, 1 run each; evaluated after 0, 2 and 4 epochs.

Metrics at ``budget=4``: ``train_accuracy``, ``valid_accuracy``, ``test_accuracy`` (%, the files'
fractions x 100), ``train_time`` (s of training up to epoch 4), ``train_energy`` (kWh consumed up
to the epoch-4 evaluation), ``total_time`` (s), ``total_energy`` (kWh) and ``total_co2eq`` (g) of
the whole run including evaluation, ``params`` (M). Accuracy, train time and train energy also as
``curve`` arrays over epochs 1..4 (index e = after epoch e+1), NaN at the epochs that were not
evaluated; the evaluation at initialisation (epoch 0) is not stored.

Caveats: 4 epochs only, so accuracies are low (5V test 5.7-76.3 %) and not NAS-Bench-101's
108-epoch numbers; the packaged EC-NAS surrogate tables (7V, 423k cells) are not available.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nasbench.arrays import seed_mean
from nasbench.recipes.base import Part, Reader, Recipe
from nasbench.sources import Source
from nasbench.spaces.ecnas import SPACE
from nasbench.store import Column

REPO = "https://github.com/PedramBakh/EC-NAS-Bench"
COMMIT = "1a82fdde59bf61cb6a2b9d41bc984c3edbd2b2bf"
BASE = "ecnas/vendors/ec_nasbench/nasbench/data"
DIGESTS = {
    "4V9E": ("5a4cf394528cbe4e8ef9b4eea41c4b29ce5c7acfee150b5a62cb12621ef2d91a",
             "bba2be5d13022b29a5ef00066d69bae600fd43cfc5133fdb3958cde918da79f8"),
    "5V9E": ("ecb476074b2a0d3640dce93d584480691f1851515c24aa90b6f9d9106200f2a5",
             "54548ac406cb5880ae24285f0fd1cf4403ef7315b4e2b6f4b2590c4a502aefa0"),
}
EPOCHS = 4


def _sources(space: str) -> tuple[Source, Source]:
    results, graphs = DIGESTS[space]
    return (
        Source(path=f"extras/ec-nas-bench-small/ecnas_{space}_4epochs_results.csv", sha256=results,
               repo=REPO, commit=COMMIT, license="MIT",
               repo_path=f"{BASE}/train_model_results/energy/{space}/4_epochs/*/*/repeat_*/results.json",
               note=f"EC-NAS-Bench {space} 4-epoch runs, one row per run"),
        Source(path=f"extras/ec-nas-bench-small/generated_graphs_{space}.json", sha256=graphs,
               repo=REPO, commit=COMMIT, license="MIT", repo_path=f"{BASE}/graphs/generated_graphs_{space}.json",
               note=f"EC-NAS-Bench {space} graph list: model_hash -> (adjacency, labels)"),
    )


#: (CSV column suffix, metric, unit, split, direction, scale, with curve)
PER_POINT = (
    ("train_acc", "train_accuracy", "%", "train", "max", 100.0, "accuracy on the training images"),
    ("val_acc", "valid_accuracy", "%", "valid", "max", 100.0, "accuracy on the validation split"),
    ("test_acc", "test_accuracy", "%", "test", "max", 100.0, "accuracy on the test set"),
    ("training_time_s", "train_time", "s", "", "min", 1.0, "cumulative training time"),
    ("energy_kWh", "train_energy", "kWh", "", "min", 1.0,
     "cumulative GPU energy (training and the evaluations so far)"),
)
WHOLE_RUN = (
    ("total_time_s", "total_time", "s", "wall-clock time of the whole run, evaluation included"),
    ("total_energy_kWh", "total_energy", "kWh", "energy of the whole run, evaluation included"),
    ("total_co2eq_g", "total_co2eq", "g", "CO2-equivalent emissions of the whole run"),
)


def _reader(space: str) -> Reader:
    dataset = f"cifar10-{space}"

    def read(paths: list[Path], archs: list[str]) -> list[Column]:
        import pandas as pd

        runs = pd.read_csv(paths[0], dtype={"adjacency_flat": str})
        graphs = json.loads(paths[1].read_text())
        row = {a: i for i, a in enumerate(archs)}
        arch_of = {}
        for model_hash, (matrix, labels) in graphs.items():
            cell = SPACE.cell((matrix, labels))
            if SPACE.canonical_hash(cell) != model_hash:
                raise ValueError(f"{paths[1]}: graph {model_hash} has NB101 hash {SPACE.canonical_hash(cell)}")
            arch_of[model_hash] = SPACE.canonical(cell)
        missing = set(runs["model_hash"]) ^ set(arch_of)
        if missing:
            raise ValueError(f"{space}: hashes without graph or results: {sorted(missing)[:3]}")
        repeats = int(runs["repeat"].max())
        points = [int(runs[f"e{k}_epochs"].iloc[0]) for k in range(3)]
        for k, epoch in enumerate(points):
            if (runs[f"e{k}_epochs"] != epoch).any():
                raise ValueError(f"{paths[0]}: evaluation point e{k} is not at one epoch for all runs")
        if points[-1] != EPOCHS:
            raise ValueError(f"{paths[0]}: last evaluation after {points[-1]} epochs, expected {EPOCHS}")
        rows = np.array([row[arch_of[h]] for h in runs["model_hash"]])
        reps = runs["repeat"].to_numpy(dtype=np.int64) - 1
        n = len(archs)
        agg = "seeds" if repeats > 1 else "single"
        who = f"{runs['model_hash'].nunique():,} cells, {repeats} run(s) each"

        def per_run(values: np.ndarray) -> np.ndarray:
            out = np.full((n, repeats, *values.shape[1:]), np.nan)
            out[rows, reps] = values
            return out if repeats > 1 else out[:, 0]

        def columns_of(values: np.ndarray, **kw) -> list[Column]:
            """Per-run (seeds) and mean columns, or one single column."""
            arr = per_run(values)
            if repeats == 1:
                kw.setdefault("aggregation", agg)
                return [Column(dataset=dataset, values=arr, **kw)]
            if kw.get("aggregation") == "curve":
                return [Column(dataset=dataset, values=arr, **kw)]
            mean = seed_mean(arr)
            desc = kw.pop("description")
            return [
                Column(dataset=dataset, values=arr, aggregation="seeds",
                       description=desc + "; one column per repeat", **kw),
                Column(dataset=dataset, values=mean, aggregation="mean",
                       description=desc + f"; mean over the {repeats} repeats", **kw),
            ]

        columns: list[Column] = []
        for suffix, metric, unit, split, direction, scale, label in PER_POINT:
            final = runs[f"e2_{suffix}"].to_numpy(dtype=np.float64) * scale
            columns += columns_of(
                final, metric=metric, unit=unit, split=split, budget=EPOCHS, direction=direction,
                description=f"{label} at the evaluation after {EPOCHS} epochs ({who})",
            )
            curve = np.full((len(runs), EPOCHS), np.nan)
            for k, epoch in enumerate(points):
                if epoch > 0:
                    curve[:, epoch - 1] = runs[f"e{k}_{suffix}"].to_numpy(dtype=np.float64) * scale
            columns += columns_of(
                curve, metric=metric, unit=unit, split=split, budget=EPOCHS, direction=direction,
                aggregation="curve",
                description=f"{label} after epochs {', '.join(str(p) for p in points[1:])} "
                f"(index e = after epoch e+1, NaN where not evaluated; {who})",
            )
        for column, metric, unit, text in WHOLE_RUN:
            columns += columns_of(
                runs[column].to_numpy(dtype=np.float64), metric=metric, unit=unit, budget=EPOCHS,
                direction="min", description=f"{text} ({who})",
            )
        params = np.full(n, np.nan)
        params[rows] = runs["trainable_params"].to_numpy(dtype=np.float64) / 1e6
        columns.append(Column(dataset=dataset, metric="params", values=params, unit="M",
                              aggregation="single", description="trainable parameters, millions"))
        return columns

    return read


RECIPE = Recipe(
    name="ecnas",
    space="ecnas",
    archs=lambda: list(SPACE.enumerate()),
    parts=[Part(f"ecnas-{s}", _sources(s), _reader(s), f"EC-NAS-Bench {s} 4-epoch runs") for s in DIGESTS],
    official_index=False,
    description=(
        "EC-NAS-Bench small spaces: every NAS-Bench-101 cell of at most 5 vertices and 9 edges "
        "(2,532) trained 4 epochs on CIFAR-10 on one Quadro RTX 6000, with train/valid/test "
        "accuracy, training time, energy (kWh) and CO2 (g). Datasets 'cifar10-5V9E' (all 2,532 "
        "cells, 1 run) and 'cifar10-4V9E' (the 91 cells of at most 4 vertices, 3 runs). "
        "PARTIAL: not the packaged EC-NAS-Bench tables (7-vertex, 108-epoch surrogate), which are "
        "not available."
    ),
)
