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

import gzip
import json
from pathlib import Path

import numpy as np

from nasbench.config import PROJECT_ROOT
from nasbench.errors import SourceMissingError
from nasbench.readers.calibration import metric_spec
from nasbench.recipes.base import Part, Recipe
from nasbench.spaces.nb201 import OFFICIAL_ORDER_SOURCE, SPACE
from nasbench.store import Column

BANK_DIR = PROJECT_ROOT / "data" / "bank" / "nb201_cifar10"
DATASET = "cifar10"

_CURVES = {
    "train_loss": ("", "train", "min", "cross-entropy, running mean over the epoch's augmented "
                   "mini-batches (train mode)"),
    "train_accuracy": ("%", "train", "max", "top-1 accuracy, running over the epoch's augmented "
                       "mini-batches (train mode)"),
    "valid_loss": ("", "valid", "min", "cross-entropy on 2,000 held-out training images"),
    "valid_accuracy": ("%", "valid", "max", "top-1 accuracy on 2,000 held-out training images"),
    "test_loss": ("", "test", "min", "cross-entropy on the full test split"),
    "test_accuracy": ("%", "test", "max", "top-1 accuracy on the full test split"),
}


def _read_bank(folder: Path) -> tuple[dict, list[dict]]:
    recipe_path, results_path = folder / "recipe.json", folder / "results.jsonl.gz"
    for p in (recipe_path, results_path):
        if not p.is_file():
            raise SourceMissingError(
                f"bank results {str(p)!r} are missing; make them with `nasbench build-bank --out "
                f"{folder}` (see {folder / 'README.md'})"
            )
    recipe = json.loads(recipe_path.read_text())
    with gzip.open(results_path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return recipe, records


def _describe(recipe: dict) -> str:
    return (
        f"reduced recipe: NB201 network C={recipe['C']}, N={recipe['N']}, "
        f"{recipe['resolution']}x{recipe['resolution']} CIFAR-10 (JPEG q75) inputs, "
        f"{recipe['train_size']} training images, {recipe['epochs']} epochs, SGD lr {recipe['lr']} "
        f"{recipe['schedule']}, batch {recipe['batch_size']}, seed {recipe['seed']}"
    )


def read(paths: list[Path], archs: list[str], folder: Path | None = None) -> list[Column]:
    """Columns of the bank results, aligned with the official NB201 order."""
    del paths
    recipe, records = _read_bank(folder or BANK_DIR)
    epochs = int(recipe["epochs"])
    n = len(archs)
    rows = np.empty(len(records), dtype=np.int64)
    for i, rec in enumerate(records):
        row = SPACE.index(rec["arch"])
        if SPACE.arch_at(row) != rec["arch"] or rec.get("index", row) != row:
            raise ValueError(f"bank record {i}: arch {rec['arch']!r} does not match index {rec.get('index')}")
        rows[i] = row
    if len(set(rows.tolist())) != len(rows):
        raise ValueError("bank results hold an architecture twice")
    how = _describe(recipe)
    columns: list[Column] = []

    def curve(metric: str, values: np.ndarray, unit: str, split: str, direction: str, text: str) -> None:
        arr = np.full((n, epochs), np.nan)
        arr[rows] = values
        columns.append(Column(dataset=DATASET, metric=metric, values=arr, unit=unit, split=split,
                              budget=epochs, aggregation="curve", direction=direction,
                              description=f"{text}; per epoch; {how}"))

    for metric, (unit, split, direction, text) in _CURVES.items():
        curve(metric, np.array([r[metric] for r in records], dtype=np.float64).reshape(-1, epochs),
              unit, split, direction, text)

    def single(metric: str, values: np.ndarray, unit: str, direction: str, text: str) -> None:
        arr = np.full(n, np.nan)
        arr[rows] = values
        columns.append(Column(dataset=DATASET, metric=metric, values=arr, unit=unit, split="",
                              budget=epochs, aggregation="single", direction=direction,
                              description=f"{text}; {how}"))

    single("params", np.array([r["params"] for r in records]) / 1e6, "M", "min",
           "parameters of the trained reduced network (millions)")
    single("train_time", np.array([r["train_time"] for r in records]), "s", "min",
           "wall time of the training epochs (evaluation excluded)")

    # calibration: one curve per bank column, NaN at epochs without calibration
    keys = sorted({k for r in records for c in r["calibration"].values() for k in c["pre"]})
    for when in ("pre", "post"):
        for key in keys:
            if key == "acc" and when == "pre":
                continue  # equals test_accuracy
            vals = np.full((len(records), epochs), np.nan)
            for i, r in enumerate(records):
                for e, c in r["calibration"].items():
                    vals[i, int(e) - 1] = c[when].get(key, np.nan)
            if key == "acc":
                curve("test_accuracy/post_ts_split", vals * 100.0, "%", "test", "max",
                      "top-1 accuracy on the 80 % of the test split the post_ts metrics use")
                continue
            spec = metric_spec(f"{when}_{key}")
            curve(spec.metric, vals, spec.unit, spec.split, spec.direction, spec.description)
    extras = {
        "temperature": ("", "", "temperature fitted by the bank's grid search (0.1..10, lowest "
                        "15-bin ECE on a seeded 20 % of the test split)"),
        "ood_auroc": ("fraction", "max", "AUROC of the predictive entropy separating the test split "
                      "from 2,000 MNIST digits (OOD positive), before temperature scaling"),
        "ood_aupr": ("fraction", "max", "average precision of the same OOD detection"),
    }
    for key, (unit, direction, text) in extras.items():
        vals = np.full((len(records), epochs), np.nan)
        for i, r in enumerate(records):
            for e, c in r["calibration"].items():
                vals[i, int(e) - 1] = c.get(key, np.nan)
        if np.isnan(vals).all():
            continue
        metric = key if key == "temperature" else f"{key}/mnist"
        curve(metric, vals, unit, "test", direction, text)
    return columns


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
        "temperature scaling, the temperature and MNIST OOD AUROC. PARTIAL: only the trained "
        "representatives have values (the 'measured' count of `nasbench info`); the numbers "
        "come from a cheap proxy recipe, not NB201's 200-epoch training."
    ),
)
