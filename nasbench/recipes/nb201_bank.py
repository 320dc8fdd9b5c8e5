"""The ``nb201_bank`` store: this project's own calibration bank of NB201 cells on CIFAR-10.

Built from the committed results of ``nasbench build-bank`` (``predictors/bank.py``) in
``data/bank/nb201_cifar10/`` (``recipe.json``: the training recipe; ``results.jsonl.gz``: one
record per trained architecture; ``README.md``: the command, wall time and progress). Nothing is
read from the raw-data folder: the results are the project's own computation.

* Rows: the 15,625 NB201 cells in official order; NaN where the cell was not trained. The bank
  trains isomorphism-class representatives (``nasbench.spaces.nb201.SPACE.canonical``), and each
  value sits at its representative's row only (not copied to isomorphic cells).
* Dataset ``cifar10``: CIFAR-10 as JPEG q75 at the reduced recipe of ``recipe.json`` (default:
  C=8, N=1 network, 16x16 inputs, 10,000 training images, 5 epochs, one seed): these numbers
  are a cheap proxy of NB201's, not equal to them.
* Per-epoch curves (``aggregation="curve"``; a plain query returns the last epoch):
  ``train_loss``, ``train_accuracy``, ``valid_*`` (2,000 held-out training images), ``test_*``
  (full test split), and every calibration column of Tao et al.'s bank under the names of
  ``nasbench.readers.calibration`` (``ece/pre_ts/15_bins``, ``ece_em/post_ts/500_bins``,
  ``ksce/pre_ts``, ``nll/post_ts``, ...; NaN at epochs without calibration), plus
  ``temperature``, ``test_accuracy/post_ts_split`` and ``ood_auroc/mnist`` / ``ood_aupr/mnist``
  (predictive entropy against 2,000 MNIST digits, pre temperature scaling).
* ``params`` (millions, of the trained reduced network), ``train_time`` (s, one CPU thread
  unless the recipe says otherwise).
"""

from __future__ import annotations

from pathlib import Path

from nasbench.config import PROJECT_ROOT
from nasbench.recipes._bank import bank_columns, bank_status
from nasbench.recipes.base import Part, Recipe
from nasbench.spaces.nb201 import OFFICIAL_ORDER_SOURCE, SPACE
from nasbench.store import Column

BANK_DIR = PROJECT_ROOT / "data" / "bank" / "nb201_cifar10"
DATASET = "cifar10"
SPLITS = {
    "train": "augmented mini-batches (train mode)",
    "valid": "2,000 held-out training images",
    "test": "the full test split",
}


def _describe(recipe: dict) -> str:
    return (
        f"reduced recipe: NB201 network C={recipe['C']}, N={recipe['N']}, "
        f"{recipe['resolution']}x{recipe['resolution']} CIFAR-10 (JPEG q75) inputs, "
        f"{recipe['train_size']} training images, {recipe['epochs']} epochs, SGD lr {recipe['lr']} "
        f"{recipe['schedule']}, batch {recipe['batch_size']}, seed {recipe['seed']}"
    )


def _row(rec: dict) -> int:
    row = SPACE.index(rec["arch"])
    if SPACE.arch_at(row) != rec["arch"] or rec.get("index", row) != row:
        raise ValueError(f"bank record: arch {rec['arch']!r} does not match index {rec.get('index')}")
    return row


def read(paths: list[Path], archs: list[str], folder: Path | None = None) -> list[Column]:
    """Columns of the bank results, aligned with the official NB201 order."""
    del paths
    return bank_columns(folder or BANK_DIR, len(archs), _row, DATASET, _describe, SPLITS)


RECIPE = Recipe(
    name="nb201_bank",
    space="nb201",
    archs=lambda: list(SPACE.official_order),
    parts=[Part("nb201-bank-results", (), read,
                "the project's own bank run (data/bank/nb201_cifar10, `nasbench build-bank`)")],
    extra_sources=(OFFICIAL_ORDER_SOURCE,),
    results_dir=BANK_DIR,
    description=(
        "This project's calibration bank: NB201 cells trained on CIFAR-10 (JPEG q75) with one "
        "fixed reduced recipe by `nasbench build-bank`; per-epoch train/valid/test loss and "
        "accuracy and every calibration column of Tao et al.'s bank (ECE, equal-mass ECE, "
        "class-wise CE, ACE, MCE at 5..500 bins; KSCE, KDECE, MMCE, NLL, Brier) before and after "
        "temperature scaling, the temperature and MNIST OOD AUROC. Only the trained "
        "representatives have values (the 'measured' count of `nasbench info`); the numbers "
        "come from a cheap proxy recipe, not NB201's 200-epoch training. " + bank_status(BANK_DIR)
    ),
)
