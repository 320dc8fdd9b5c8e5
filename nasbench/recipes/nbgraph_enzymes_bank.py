"""The ``nbgraph_enzymes_bank`` store: NAS-Bench-Graph cells trained on ENZYMES by this project.

A calibration bank for a graph dataset no published bank covers: the NAS-Bench-Graph cell
(``predictors.networks.nbgraph.GraphNetwork``) with a mean-pool readout, trained for graph
classification on the TU dataset ENZYMES (600 protein graphs, 6 classes) by
``nasbench build-bank --space nbgraph --dataset enzymes`` (``predictors/bank.py``). Built from the
committed results in ``data/bank/nbgraph_enzymes/`` (``recipe.json``, ``results.jsonl.gz``,
``README.md`` with the command, wall time and progress); nothing is read from the raw-data folder.

* Rows: the trained architectures only, in NAS-Bench-Graph key order (an int arch is a key, as in
  the ``nbgraph`` store); an untrained architecture is not in the store.
* Dataset ``enzymes``; splits: a seeded stratified 70 / 10 / 20 % split of the 600 graphs
  (``recipe.json``'s ``data_seed``), so the test split is 120 graphs and accuracies move in steps of
  0.83 %.
* Metrics: the columns of every bank (``nasbench.recipes._bank``): per-epoch train / valid / test
  loss and accuracy, calibration before / after temperature scaling at the recipe's calibration
  epochs (NaN at the others), ``temperature``, ``params`` (millions), ``train_time``.
"""

from __future__ import annotations

from pathlib import Path

from nasbench.config import PROJECT_ROOT
from nasbench.recipes._bank import bank_columns, read_bank
from nasbench.recipes.base import Part, Recipe
from nasbench.spaces.nbgraph import SPACE
from nasbench.store import Column

BANK_DIR = PROJECT_ROOT / "data" / "bank" / "nbgraph_enzymes"
DATASET = "enzymes"
SPLITS = {
    "train": "shuffled mini-batches of training graphs (train mode)",
    "valid": "the validation graphs (10 %)",
    "test": "the test graphs (20 %)",
}


def _describe(recipe: dict) -> str:
    return (
        f"recipe: NAS-Bench-Graph cell, hidden {recipe['C']}, mean-pool readout, "
        f"{recipe['epochs']} epochs, {recipe['optimizer']} lr {recipe['lr']} {recipe['schedule']}, "
        f"weight decay {recipe['weight_decay']}, dropout {recipe['dropout']}, batch "
        f"{recipe['batch_size']} graphs, seed {recipe['seed']}"
    )


def trained_archs(folder: Path | None = None) -> list[str]:
    """The trained architectures, canonical, in key order (the store's rows)."""
    _, records = read_bank(folder or BANK_DIR)
    return sorted({SPACE.canonical(r["arch"]) for r in records}, key=SPACE.key)


def read(paths: list[Path], archs: list[str], folder: Path | None = None) -> list[Column]:
    """Columns of the bank results, one row per trained architecture."""
    del paths
    row = {a: i for i, a in enumerate(archs)}

    def row_of(rec: dict) -> int:
        canonical = SPACE.canonical(rec["arch"])
        if canonical not in row:
            raise ValueError(f"bank record: arch {rec['arch']!r} is not a row of this store")
        return row[canonical]

    return bank_columns(folder or BANK_DIR, len(archs), row_of, DATASET, _describe, SPLITS)


RECIPE = Recipe(
    name="nbgraph_enzymes_bank",
    space="nbgraph",
    archs=trained_archs,
    parts=[Part("nbgraph-enzymes-bank-results", (), read,
                "the project's own bank run (data/bank/nbgraph_enzymes, `nasbench build-bank`)")],
    official_index=False,
    results_dir=BANK_DIR,
    description=(
        "This project's calibration bank for graph classification: NAS-Bench-Graph cells with a "
        "mean-pool readout trained on ENZYMES (TU dataset, 600 graphs, 6 classes) with one fixed "
        "recipe by `nasbench build-bank`; per-epoch train/valid/test loss and accuracy and Tao "
        "et al.'s calibration columns before and after temperature scaling. Rows are the trained "
        "architectures only; no published bank covers this dataset."
    ),
)
