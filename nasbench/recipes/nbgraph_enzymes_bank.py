"""The ``nbgraph_enzymes_bank`` store: NAS-Bench-Graph cells trained on ENZYMES by this project.

A calibration bank for a graph dataset no published bank covers: the NAS-Bench-Graph cell
(``predictors.networks.nbgraph.GraphNetwork``) with a mean-pool readout, trained for graph
classification on the TU dataset ENZYMES (600 protein graphs, 6 classes) by
``nasbench build-bank --space nbgraph --dataset enzymes`` (``predictors/bank.py``). Built from the
committed results in ``data/bank/nbgraph_enzymes/`` (``recipe.json``, ``results.jsonl.gz``,
``README.md`` with the command, wall time and progress); nothing is read from the raw-data folder.

* Rows: the trained architectures only (``nasbench.recipes._nbgraph_bank``).
* Dataset ``enzymes``; splits: a seeded stratified 70 / 10 / 20 % split of the 600 graphs
  (``recipe.json``'s ``data_seed``), so the test split is 120 graphs and accuracies move in steps of
  0.83 %.
* Metrics: the columns of every bank (``nasbench.recipes._bank``): per-epoch train / valid / test
  loss and accuracy, calibration before / after temperature scaling at the recipe's calibration
  epochs (NaN at the others), ``temperature``, ``params`` (millions), ``train_time``.
"""

from __future__ import annotations

from nasbench.config import PROJECT_ROOT
from nasbench.recipes._nbgraph_bank import bank_recipe

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


RECIPE = bank_recipe(
    "nbgraph_enzymes_bank", BANK_DIR, DATASET, _describe, SPLITS,
    "This project's calibration bank for graph classification: NAS-Bench-Graph cells with a "
    "mean-pool readout trained on ENZYMES (TU dataset, 600 graphs, 6 classes) with one fixed "
    "recipe by `nasbench build-bank`; per-epoch train/valid/test loss and accuracy and Tao "
    "et al.'s calibration columns before and after temperature scaling. Rows are the trained "
    "architectures only; no published bank covers this dataset.",
)
