"""The ``nbgraph_cora_bank`` store: NAS-Bench-Graph architectures retrained on Cora by this project.

The check that ``nasbench build-bank`` reproduces a published bank: NAS-Bench-Graph networks
(``predictors.networks.nbgraph``) trained on Cora with the benchmark's own recipe
(``nasbench build-bank --space nbgraph --dataset cora --benchmark-recipe``: full batch on the
public Planetoid split, plain SGD at lr 0.1, weight decay 5e-4, dropout 0.7, 400 epochs; one seed),
so its accuracies can be set beside the published ``nbgraph`` table on the same architectures.
Built from the committed results in ``data/bank/nbgraph_cora/`` (``recipe.json``,
``results*.jsonl.gz``, ``README.md`` with the command, wall time and progress).

* Rows: the trained architectures only (``nasbench.recipes._nbgraph_bank``); the best and worst
  Cora architectures of the published table first, then seeded random isomorphism classes.
* Dataset ``cora``; splits: the public Planetoid split (140 training, 500 validation, 1,000 test
  nodes), so test accuracies move in steps of 0.1 %.
* Metrics: the columns of every bank (``nasbench.recipes._bank``); the published table's ``perf``
  corresponds to ``test_accuracy/at_best_valid_loss``.
"""

from __future__ import annotations

from nasbench.config import PROJECT_ROOT
from nasbench.recipes._nbgraph_bank import bank_recipe

BANK_DIR = PROJECT_ROOT / "data" / "bank" / "nbgraph_cora"
DATASET = "cora"
SPLITS = {
    "train": "the 140 training nodes (full batch, train mode)",
    "valid": "the 500 validation nodes",
    "test": "the 1,000 test nodes",
}


def _describe(recipe: dict) -> str:
    momentum = f" momentum {recipe['momentum']}" if recipe["optimizer"] == "sgd" else ""
    return (
        f"recipe: NAS-Bench-Graph network, {recipe['epochs']} full-batch epochs, "
        f"{recipe['optimizer']}{momentum} lr {recipe['lr']} {recipe['schedule']}, weight decay "
        f"{recipe['weight_decay']}, dropout {recipe['dropout']}, seed {recipe['seed']}"
    )


RECIPE = bank_recipe(
    "nbgraph_cora_bank", BANK_DIR, DATASET, _describe, SPLITS,
    "NAS-Bench-Graph architectures retrained on Cora by this project with the benchmark's own "
    "recipe (`nasbench build-bank --benchmark-recipe`), to check that the bank builder reproduces "
    "a published bank; per-epoch train/valid/test loss and accuracy and Tao et al.'s calibration "
    "columns at epochs 100 / 200 / 400. Rows are the trained architectures only.",
)
