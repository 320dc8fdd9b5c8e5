"""The ``nasbench_nlp`` store: NAS-Bench-NLP's WikiText-2 training logs (partial).

Source: ``train_logs_wikitext-2/logs.zip`` of fmsnew/nas-bench-nlp-release: 345 JSON logs, one
training run each (``recepie_id``, the cell as JSON, ``num_params``, per-epoch ``train_losses``,
``val_losses``, ``test_losses``, ``wall_times``, ``status``). All runs use the same setup: 3-layer
RNN language model, embedding 400, hidden 600, tied weights, 50 epochs, lr 1e-3.

Rows are the **265 distinct cells** (``nasbench.spaces.nlp`` canonical strings, in order of their
smallest ``recepie_id``): the 345 runs carry 344 recipe ids, but many ids name isomorphic cells
(only node names differ; e.g. 14 ids are the same two-layer cell), so an arch has 1 to 14 runs.
Isomorphic runs agree on ``num_params`` (checked). Per-run values are in ``seed="all"`` (runs
ordered by recipe id, then experiment id), the default is the mean over an arch's runs.

Metrics (dataset ``wikitext-2``, budget 50 epochs): ``train_loss``, ``valid_loss``, ``test_loss``
(cross-entropy in nats per token; perplexity = exp(loss)) at the final epoch and as per-epoch
``curve`` arrays (index e = after epoch e+1); ``train_time`` (s, sum of the per-epoch wall times);
``params`` (M); ``recipe_id`` (the benchmark's id of each run). Four runs diverged ("loss is nan!"
after 1, 1, 19 and 23 epochs): their curves hold the logged epochs and their final values are NaN.

PARTIAL: the main NAS-Bench-NLP table (about 14k cells trained on Penn Treebank) and its multi-run
logs are not available; this is only the WikiText-2 transfer subset.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from nasbench.arrays import seed_mean
from nasbench.recipes.base import Part, Recipe
from nasbench.sources import Source
from nasbench.spaces.nlp import SPACE
from nasbench.store import Column

SOURCE = Source(
    path="extras/nas-bench-nlp-wikitext2-partial/train_logs_wikitext-2_logs.zip",
    sha256="f5052d6bea6398001e32c986322a243e8cdedffa906caf242eb0a62ee105aa12",
    repo="https://github.com/fmsnew/nas-bench-nlp-release",
    commit="a6d90a3b19e3966b1d009c0970b3761aa46707d1",
    repo_path="train_logs_wikitext-2/logs.zip",
    license="Apache-2.0",
    note="345 WikiText-2 training logs of NAS-Bench-NLP cells (partial)",
)
DATASET = "wikitext-2"
EPOCHS = 50
LOSSES = (("train_losses", "train_loss", "train"), ("val_losses", "valid_loss", "valid"),
          ("test_losses", "test_loss", "test"))


def load_logs(path: Path) -> list[dict]:
    """Every log of the archive, ordered by (recepie_id, experiment_id)."""
    logs = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith(".json"):
                logs.append(json.loads(zf.read(name)))
    return sorted(logs, key=lambda d: (int(d["recepie_id"]), int(d["experiment_id"])))


def _grouped(logs: list[dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for log in logs:
        groups.setdefault(SPACE.canonical(log["recepie"]), []).append(log)
    return groups


def _archs(paths: list[Path]) -> list[str]:
    return list(_grouped(load_logs(paths[0])))


def read(paths: list[Path], archs: list[str]) -> list[Column]:
    groups = _grouped(load_logs(paths[0]))
    if list(groups) != archs:
        raise ValueError(f"{SOURCE.path}: its cells differ from the store's arch list")
    n, runs = len(archs), max(len(g) for g in groups.values())
    curves = {key: np.full((n, runs, EPOCHS), np.nan) for key, _, _ in LOSSES}
    finals = {key: np.full((n, runs), np.nan) for key, _, _ in LOSSES}
    train_time = np.full((n, runs), np.nan)
    recipe_id = np.full((n, runs), np.nan)
    params = np.full(n, np.nan)
    for i, group in enumerate(groups.values()):
        sizes = {int(g["num_params"]) for g in group}
        if len(sizes) != 1:
            raise ValueError(f"{SOURCE.path}: isomorphic runs {[g['recepie_id'] for g in group]} "
                             f"report different num_params {sorted(sizes)}")
        params[i] = sizes.pop() / 1e6
        for k, log in enumerate(group):
            recipe_id[i, k] = int(log["recepie_id"])
            complete = log["status"] == "OK" and len(log["val_losses"]) == EPOCHS
            for key, _, _ in LOSSES:
                values = np.asarray(log[key], dtype=np.float64)[:EPOCHS]
                curves[key][i, k, : len(values)] = values
                if complete:
                    finals[key][i, k] = values[-1]
            if complete:
                train_time[i, k] = float(np.sum(log["wall_times"]))
    columns = []
    for key, metric, split in LOSSES:
        text = f"{split} cross-entropy (nats per token; perplexity = exp(loss))"
        columns += _runs(metric, finals[key], unit="nats", split=split, direction="min",
                         description=f"final-epoch {text}; NaN for diverged runs")
        columns.append(Column(
            DATASET, metric, curves[key], unit="nats", split=split, budget=EPOCHS,
            aggregation="curve", direction="min",
            description=f"{text} after each epoch (index e = after epoch e+1), one row per run; "
            "diverged runs stop early",
        ))
    columns += _runs("train_time", train_time, unit="s", split="", direction="min",
                     description="sum of the per-epoch wall times of the 50-epoch run")
    columns.append(Column(
        DATASET, "recipe_id", recipe_id, unit="id", budget=EPOCHS, aggregation="seeds",
        description="NAS-Bench-NLP recepie_id of each run (isomorphic cells have several)",
    ))
    columns.append(Column(DATASET, "params", params, unit="M", aggregation="single",
                          description="parameters of the whole language model, millions"))
    return columns


def _runs(metric: str, per_run: np.ndarray, **kw) -> list[Column]:
    mean = seed_mean(per_run)
    desc = kw.pop("description")
    return [
        Column(DATASET, metric, per_run, budget=EPOCHS, aggregation="seeds",
               description=desc + "; one column per run", **kw),
        Column(DATASET, metric, mean, budget=EPOCHS, aggregation="mean",
               description=desc + "; mean over the arch's completed runs", **kw),
    ]


RECIPE = Recipe(
    name="nasbench_nlp",
    space="nlp",
    archs=_archs,
    arch_sources=(SOURCE,),
    parts=[Part("nas-bench-nlp-wikitext-2", (SOURCE,), read, "345 WikiText-2 training logs")],
    official_index=False,
    description=(
        "NAS-Bench-NLP, WikiText-2 subset: 265 distinct recurrent cells (345 runs under 344 recipe "
        "ids; isomorphic recipes are merged, 1-14 runs per cell) trained 50 epochs as 3-layer "
        "language models, with per-epoch train/valid/test cross-entropy, train time and params. "
        "PARTIAL: the main ~14k-cell Penn Treebank table is not available."
    ),
)
