"""The ``graphgym`` store: GraphGym's exhaustive round-2 design grid on 44 tasks.

Source: the aggregated results GraphGym committed (``run/results/<experiment>/agg/<split>.csv``),
sha256-pinned under ``graphgym/``. Each CSV row is one (design, task) pair, metrics averaged over
GraphGym's random seeds with ``*_std`` their standard deviation.

Which results, and why
----------------------
GraphGym published several rounds. Round 2 (``design_v2``, ``design_v2link``, ``design_v2ogb``) is
*exhaustive* over one 96-design grid::

    l_pre {1, 2} x l_mp {2, 4, 6, 8} x l_post {2, 3} x stage {skipsum, skipconcat} x agg {add, mean, max}
    with bn=True, act=prelu, drop=0.0 (the round's config)

and covers 32 node/graph tasks + 11 link-prediction tasks + ogbg-molhiv, so it gives a dense
design x task table (44 tasks x 96 designs, 5 link designs missing on CoauthorPhysics): the table
a user ranks designs on or correlates tasks with. Round 1 (3,323 rows) and round 1att (286 rows)
are a *controlled random sample* of the 315K space that varies training settings too: nearly every
design there was run on one task only, so as a design x task table it is almost all NaN. They are
not in this store (a separate store keyed by design + training settings would suit them).

Rows: the 96 grid designs as ``nasbench.spaces.graphgym`` strings, in the space's enumeration order.

Tasks (datasets)
----------------
``<dataset>-<task>`` for the PyG tasks (``Cora-node``, ``TU_BZR-graph``, ``Cora-link_pred``, ...),
``<graph>-<task>-<label>-from-<feature>`` for the synthetic networkx tasks, where label and feature
drop their ``node_``/``graph_`` prefix (``smallworld-node-pagerank-from-onehot``: predict the
PageRank class of each node of the small-world graphs from one-hot node features), and
``ogbg-molhiv`` (the CSV's ``ogbg``; the round's config names ``ogbg-molhiv``).

Metrics
-------
From ``<split>.csv`` (the final epoch), split train -> ``train_``, val -> ``valid_``, test ->
``test_`` (test exists only for ogbg-molhiv):
``<split>_accuracy`` (%), ``<split>_precision``, ``_recall``, ``_f1``, ``_auc`` (fractions 0-1, binary
tasks only), ``<split>_loss`` (cross-entropy), each with ``<metric>_std`` (std over seeds, same
unit); ``<split>_time_per_iter`` (s per iteration); ``params`` (M).
From ``<split>_best.csv`` (link prediction and ogbg-molhiv only): the same metrics without std,
named ``<split>_<metric>_at_best_epoch``, at the epoch GraphGym's aggregation picked as best on
validation (link tasks are evaluated every 20 epochs, ogbg-molhiv every epoch). The
``*_bestepoch.csv`` variant (best epoch picked per seed, an optimistic number) is not used.

Budget = the round's ``max_epoch``: 400 for round 2, 100 for link prediction and ogbg-molhiv.
Training: Adam, lr 0.01, batch 32 (128 for ogbg-molhiv), hidden 256 ``generalconv`` layers
(300-d ``generalogbconv`` with an atom encoder for ogbg-molhiv).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nasbench.recipes.base import Part, Reader, Recipe, align
from nasbench.sources import Source
from nasbench.spaces.graphgym import SPACE
from nasbench.store import Column

REPO = "https://github.com/snap-stanford/GraphGym"
COMMIT = "daded21169ec92fde8b1252b439a8fac35b07d79"

#: the round-2 grid: varied dimensions and the values fixed by the round's config
GRID: dict[str, tuple[str, ...]] = {
    "l_pre": ("1", "2"),
    "l_mp": ("2", "4", "6", "8"),
    "l_post": ("2", "3"),
    "stage": ("skipsum", "skipconcat"),
    "agg": ("add", "mean", "max"),
}
FIXED = {"bn": "True", "act": "prelu", "drop": "0.0"}
SPLITS = {"train": "train", "val": "valid", "test": "test"}
#: csv metric -> (unit, direction, scale applied to the value and its std)
METRICS = {
    "accuracy": ("%", "max", 100.0),
    "precision": ("fraction (0-1)", "max", 1.0),
    "recall": ("fraction (0-1)", "max", 1.0),
    "f1": ("fraction (0-1)", "max", 1.0),
    "auc": ("fraction (0-1)", "max", 1.0),
    "loss": ("cross-entropy", "min", 1.0),
}
_SHORT = {
    "node_clustering_coefficient": "clustering",
    "node_pagerank": "pagerank",
    "node_const": "const",
    "node_onehot": "onehot",
    "graph_path_len": "path_len",
}


@dataclass(frozen=True)
class Round:
    """One GraphGym experiment of the round-2 grid."""

    experiment: str
    files: dict[str, str]  # file suffix -> sha256
    budget: int
    training: str


ROUNDS = (
    Round(
        "design_v2_grid_round2",
        {
            "train": "46902a1b591a5ef22409a4c23ef3b06a73363071d758e99cb60e17b91e80e8b4",
            "val": "4d834b4e625ef9ea77992869f513686304d4846a837fe36e57af97e47e09a78e",
        },
        400,
        "400 epochs, Adam lr 0.01, batch 32, 256-d generalconv layers",
    ),
    Round(
        "design_v2link_grid_round2link",
        {
            "train": "14e75936f3e660d119f19e2f9f8e13e60616133d8e34cd0219a5a6412adec8eb",
            "train_best": "dac961d8f138bf043b36fa75ff1cee6f9732963372ea3c94231e8878ed752fa3",
            "val": "2369321df278bab95d065d3e298e9cbafa1088e53f21a06f8ef01ab3f36162fd",
            "val_best": "61e272708b8aefb9e9e05c8c0869f07038e0f62239ce776201c85ee547caf996",
        },
        100,
        "100 epochs, Adam lr 0.01, batch 32, 256-d generalconv layers, evaluated every 20 epochs",
    ),
    Round(
        "design_v2ogb_grid_round2ogb",
        {
            "train": "039ddc8ba9bc03ba446c04889efb54715b36f368860de31fdc1c867dd0f1a2e7",
            "train_best": "a9e983acc3abd1bc29a8f9f151964f70cd4f40a4b19c80cd7328d57646102ad0",
            "val": "d4e28ebeab9ffa212706df33596e20b9309441336273ee8c3da4e25a3b1b4a4b",
            "val_best": "7aa4bb287768100b2ee222f065c6b1243c7da772372027b4550f63d05e12b427",
            "test": "7e58d98d7f6968093582cc2da90e8b7d3f0f9fca890fa1ba3f23cc6bf4ffa00c",
            "test_best": "f79a47c10df0f7e860ac3db31d34e2f62b9e2177e2376ed585f164f014ef23fe",
        },
        100,
        "100 epochs, Adam lr 0.01, batch 128, 300-d generalogbconv layers with an atom encoder",
    ),
)


def _source(rnd: Round, suffix: str, sha: str) -> Source:
    return Source(
        path=f"graphgym/{rnd.experiment}__{suffix}.csv",
        sha256=sha,
        repo=REPO,
        commit=COMMIT,
        repo_path=f"run/results/{rnd.experiment}/agg/{suffix}.csv",
        license="MIT",
        note=f"GraphGym {rnd.experiment} aggregated results, {suffix}",
    )


def grid_designs() -> list[str]:
    """The 96 round-2 designs, in the space's enumeration order."""
    chosen = {
        ",".join(f"{n}={v}" for n, v in {**dict(zip(GRID, vals)), **FIXED}.items())
        for vals in itertools.product(*GRID.values())
    }
    designs = [d for d in SPACE.enumerate() if d in chosen]
    if len(designs) != 96:
        raise AssertionError(f"the round-2 grid should have 96 designs, found {len(designs)}")
    return designs


def task_name(fmt: str, dataset: str, task: str, feature: object, label: object) -> str:
    """The store's dataset name of one GraphGym task (module docstring)."""
    if fmt == "OGB":
        if dataset != "ogbg":
            raise ValueError(f"unexpected OGB dataset {dataset!r} (expected 'ogbg')")
        return "ogbg-molhiv"
    name = f"{dataset}-{task}"
    if fmt == "nx":
        if label not in _SHORT or feature not in _SHORT:
            raise ValueError(f"unexpected networkx task feature={feature!r} label={label!r}")
        name += f"-{_SHORT[str(label)]}-from-{_SHORT[str(feature)]}"
    return name


def design_of(row: dict) -> str:
    """The design string of one CSV row of the round-2 grid."""
    values = {n: str(row[n]) for n in GRID}
    return SPACE.format(",".join(f"{n}={v}" for n, v in {**values, **FIXED}.items()))


def read_csv(path: Path):  # pandas.DataFrame
    """One aggregated CSV with a ``task`` name and a ``design`` string per row."""
    import pandas as pd

    frame = pd.read_csv(path, keep_default_na=True)
    frame["task_name"] = [
        task_name(r.format, r.dataset, r.task, r.feature, r.label)
        for r in frame.itertuples(index=False)
    ]
    frame["design"] = [design_of(r) for r in frame[list(GRID)].to_dict("records")]
    if frame.duplicated(["task_name", "design"]).any():
        raise ValueError(f"{path}: a (task, design) pair appears twice")
    return frame


def _reader(rnd: Round) -> Reader:
    def read(paths: list[Path], archs: list[str]) -> list[Column]:
        columns: list[Column] = []
        for suffix, path in zip(rnd.files, paths):
            frame = read_csv(path)
            split_key, _, best = suffix.partition("_")
            split = SPLITS[split_key]
            for task, group in frame.groupby("task_name", sort=True):
                columns += _columns(rnd, str(task), group, split, bool(best), archs, path)
        return columns

    return read


def _columns(
    rnd: Round,
    task: str,
    group,
    split: str,
    best: bool,
    archs: list[str],
    path: Path,
) -> list[Column]:
    keys = list(group["design"])
    what = f"{path.name} task {task}"
    when = (
        "at the epoch GraphGym picked as best on validation"
        if best
        else f"at the final epoch of {rnd.budget}"
    )
    base = f"GraphGym {rnd.experiment}; {rnd.training}; mean over seeds"
    out = []
    for metric, (unit, direction, scale) in METRICS.items():
        values = group[metric].to_numpy(dtype=np.float64)
        if not np.isfinite(values).any():
            continue  # e.g. auc of a multi-class task
        name = f"{split}_{metric}" + ("_at_best_epoch" if best else "")
        out.append(
            Column(
                dataset=task,
                metric=name,
                values=align(keys, values * scale, archs, what=what),
                unit=unit,
                split=split,
                budget=rnd.budget,
                aggregation="mean",
                description=f"{metric} on the {split} split {when} ({base})",
                direction=direction,
            )
        )
        if not best:
            std = group[f"{metric}_std"].to_numpy(dtype=np.float64) * scale
            out.append(
                Column(
                    dataset=task,
                    metric=f"{name}_std",
                    values=align(keys, std, archs, what=what),
                    unit=unit,
                    split=split,
                    budget=rnd.budget,
                    aggregation="single",
                    description=f"standard deviation over seeds of {name} ({base})",
                    direction="",
                )
            )
    if not best:
        out.append(
            Column(
                dataset=task,
                metric=f"{split}_time_per_iter",
                values=align(keys, group["time_iter"].to_numpy(dtype=np.float64), archs, what=what),
                unit="s",
                split=split,
                budget=rnd.budget,
                aggregation="mean",
                description=f"seconds per iteration on the {split} split ({base})",
                direction="min",
            )
        )
        if split == "valid":
            out.append(
                Column(
                    dataset=task,
                    metric="params",
                    values=align(
                        keys, group["params"].to_numpy(dtype=np.float64) / 1e6, archs, what=what
                    ),
                    unit="M",
                    split="",
                    budget=None,
                    aggregation="single",
                    description=f"trainable parameters in millions for this task ({rnd.training})",
                    direction="min",
                )
            )
    return out


PARTS = [
    Part(
        rnd.experiment,
        tuple(_source(rnd, suffix, sha) for suffix, sha in rnd.files.items()),
        _reader(rnd),
        f"GraphGym {rnd.experiment} aggregated results",
    )
    for rnd in ROUNDS
]

RECIPE = Recipe(
    name="graphgym",
    space="graphgym",
    archs=grid_designs,
    parts=PARTS,
    official_index=False,
    description=(
        "GraphGym (You et al., NeurIPS 2020) round-2 design grid: 96 GNN designs (l_pre x l_mp x "
        "l_post x stage x agg; bn, prelu, no dropout) x 44 tasks: 6 node and 6 TU graph "
        "classification datasets, 20 synthetic networkx node/graph tasks, 11 link-prediction "
        "datasets and ogbg-molhiv. Train/valid(/test) accuracy, precision, recall, F1, AUC, loss "
        "with their std over seeds, time per iteration and params; link and OGB tasks also at the "
        "best validation epoch. Budget = epochs (400, or 100 for link and OGB)."
    ),
)
