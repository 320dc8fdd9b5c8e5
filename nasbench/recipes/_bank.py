"""What every calibration-bank store shares: reading ``nasbench build-bank`` results into columns.

A bank folder (``data/bank/<name>/``) holds ``recipe.json`` (the training recipe),
``results.jsonl.gz`` (one record per trained architecture; past ``PART_RECORDS`` records the rest
go on in ``results-1.jsonl.gz``, ``results-2.jsonl.gz``, ...) and a ``README.md`` (command, wall
time, progress). ``bank_columns`` turns it into store columns: per-epoch curves
(``aggregation="curve"``; a plain query returns the last epoch) of train / valid / test loss and
accuracy, every calibration column of Tao et al.'s bank under the names of
``nasbench.readers.calibration`` (NaN at epochs without calibration), the temperature, OOD
detection where measured, ``params`` (millions) and ``train_time``. The store recipes
(``nb201_bank``, ``nbgraph_enzymes_bank``, ``nbgraph_cora_bank``) say which rows and what the
splits are; each description ends with ``bank_status``: COMPLETE or PARTIAL against the planned
count of the README's command.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from nasbench.errors import SourceMissingError
from nasbench.readers.calibration import metric_spec
from nasbench.store import Column

#: the first results file of a bank folder
RESULTS = "results.jsonl.gz"
#: records a results file holds before the next part begins: a 400-epoch NAS-Bench-Graph record
#: is about 8.5 kB compressed, so no part passes 2 MB (small files are what git diffs and
#: clones well)
PART_RECORDS = 200


def part_name(k: int) -> str:
    """The name of the ``k``-th results file of a bank folder (0: ``results.jsonl.gz``)."""
    return RESULTS if k == 0 else f"results-{k}.jsonl.gz"


def result_files(folder: Path) -> list[Path]:
    """The results files of a bank folder, in record order (empty when there is none)."""
    files: list[Path] = []
    while (path := Path(folder) / part_name(len(files))).is_file():
        files.append(path)
    return files


def _record_lines(folder: Path) -> Iterator[str]:
    """The JSON lines of a bank folder's results files, in record order (blank lines skipped)."""
    for path in result_files(folder):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            yield from (line for line in fh if line.strip())


def read_records(folder: Path) -> list[dict]:
    """Every record of a bank folder's results files, in the order they finished."""
    return [json.loads(line) for line in _record_lines(folder)]


#: metric -> (unit, split, direction, what it is); ``{valid}`` / ``{test}`` / ``{train}`` are
#: filled with the store's own split descriptions
CURVES = {
    "train_loss": ("", "train", "min", "cross-entropy, running mean over the epoch's {train}"),
    "train_accuracy": ("%", "train", "max", "top-1 accuracy, running over the epoch's {train}"),
    "valid_loss": ("", "valid", "min", "cross-entropy on {valid}"),
    "valid_accuracy": ("%", "valid", "max", "top-1 accuracy on {valid}"),
    "test_loss": ("", "test", "min", "cross-entropy on {test}"),
    "test_accuracy": ("%", "test", "max", "top-1 accuracy on {test}"),
}


def read_bank(folder: Path) -> tuple[dict, list[dict]]:
    """``(recipe, records)`` of a bank folder; a missing file says how to make it."""
    recipe_path, results_path = folder / "recipe.json", folder / RESULTS
    for p in (recipe_path, results_path):
        if not p.is_file():
            raise SourceMissingError(
                f"bank results {str(p)!r} are missing; make them with `nasbench build-bank --out "
                f"{folder}` (see {folder / 'README.md'})"
            )
    return json.loads(recipe_path.read_text()), read_records(folder)


def planned_count(folder: Path) -> int | None:
    """The planned number of architectures of a bank folder: the ``--archs N`` of the command in
    its README, plus the best and worst known architectures unless it says ``--no-extremes``
    (None: no README or no ``--archs`` in it)."""
    readme = folder / "README.md"
    if not readme.is_file():
        return None
    text = readme.read_text()
    m = re.search(r"--archs\s+(\d+)", text)
    if m is None:
        return None
    return int(m.group(1)) + (0 if "--no-extremes" in text else 2)


def bank_status(folder: Path) -> str:
    """COMPLETE or PARTIAL, with the count of trained architectures against the plan (the end of
    a bank store's description; it counts lines, so it is cheap at import time)."""
    if not result_files(folder):
        return f"PARTIAL: no results yet (see {folder.name}/README.md for the command)."
    done = sum(1 for _ in _record_lines(folder))
    planned = planned_count(folder)
    if planned is None:
        return f"{done} architectures trained; the planned count is unknown (no README command)."
    word = "COMPLETE" if done >= planned else "PARTIAL while the run goes on"
    return f"{word}: {done} of {planned} planned architectures trained."


def bank_columns(
    folder: Path,
    n_rows: int,
    row_of: Callable[[dict], int],
    dataset: str,
    describe: Callable[[dict], str],
    splits: dict[str, str],
) -> list[Column]:
    """The columns of a bank folder, ``n_rows`` long, NaN where no architecture was trained.

    Args:
        folder: the bank folder.
        n_rows: the store's row count.
        row_of: a record -> its row; raises ``ValueError`` for a record that does not belong.
        dataset: the dataset name of every column.
        describe: the training recipe (``recipe.json``) -> words appended to every description.
        splits: ``{"train": ..., "valid": ..., "test": ...}``: what each split is, in words.
    """
    recipe, records = read_bank(folder)
    how = describe(recipe)
    epochs = int(recipe["epochs"])
    rows = np.array([row_of(r) for r in records], dtype=np.int64)
    if len(set(rows.tolist())) != len(rows):
        raise ValueError(f"bank results in {folder} hold an architecture twice")
    columns: list[Column] = []

    def curve(metric: str, values: np.ndarray, unit: str, split: str, direction: str, text: str) -> None:
        arr = np.full((n_rows, epochs), np.nan)
        arr[rows] = values
        columns.append(Column(dataset=dataset, metric=metric, values=arr, unit=unit, split=split,
                              budget=epochs, aggregation="curve", direction=direction,
                              description=f"{text}; per epoch; {how}"))

    def single(metric: str, values: np.ndarray, unit: str, direction: str, text: str) -> None:
        arr = np.full(n_rows, np.nan)
        arr[rows] = values
        columns.append(Column(dataset=dataset, metric=metric, values=arr, unit=unit, split="",
                              budget=epochs, aggregation="single", direction=direction,
                              description=f"{text}; {how}"))

    for metric, (unit, split, direction, text) in CURVES.items():
        values = np.array([r[metric] for r in records], dtype=np.float64).reshape(-1, epochs)
        curve(metric, values, unit, split, direction, text.format(**splits))
    # the first epoch of lowest validation loss, as NAS-Bench-Graph picks its published ``perf``
    best = np.array([int(np.argmin(r["valid_loss"])) for r in records], dtype=np.int64)
    single("test_accuracy/at_best_valid_loss",
           np.array([r["test_accuracy"][e] for r, e in zip(records, best)], dtype=np.float64),
           "%", "max", f"top-1 accuracy on {splits['test']} at the first epoch of lowest "
           "validation loss (NAS-Bench-Graph's `perf`)")
    single("params", np.array([r["params"] for r in records]) / 1e6, "M", "min",
           "parameters of the trained network (millions)")
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
