"""The ``nb101`` store: the NAS-Bench-101 tables available without the official 2 GB file.

Rows: every cell that has a value, keyed by its canonical string (official labelling, see
``nasbench.spaces.nb101``), sorted by official module hash. ``bench.query`` also takes any
isomorphic labelling or the hash itself. Dataset ``cifar10`` throughout.

Sources
-------
* ``nb101/nasbench-vis-partial/data-20k.json`` (nasbench-vis, no license stated): the 20,001
  smallest module hashes of the 423,624, with validation accuracy at 4/12/36/108 epochs, training
  time and parameters. It has no graphs (only its first 1,000 rows have them, in ``data-1k.json``),
  so each row's cell is recovered from its hash: the space enumerates all 423,624 cells and hashes
  each once (cached; ~30 s on first use). The recovery is checked at build time: the parameter
  count computed from every recovered graph equals the published one on all 20,001 rows, and the
  1,000 published graphs are exactly the recovered cells (tests).
  Per the file's PROVENANCE the values are ONE training run per budget (not the 3-run mean): e.g.
  where NASLib's subset below has all three 108-epoch runs of a cell, this file's value is one of
  them. Stored with aggregation ``single``; there is no test accuracy.
* ``naslib-zc-subsets/zc_nasbench101.json`` (NASLib, Apache-2.0): 11 zero-cost proxies on 500
  records keyed by unpruned 7-vertex specs, which prune to 292 distinct cells (244 appear once, one
  cell 55 times). Per cell, ``zc/<proxy>`` is the mean over its records (each record is its own
  evaluation at a random initialisation, so repeats differ). ``valid_accuracy_naslib`` (budget 108)
  is NASLib's ``val_accuracy``: one of the 3 official 108-epoch runs drawn at random per record
  (e.g. cell ``043721b9...`` shows all three values), averaged over the cell's records; named as
  in the ``nb201`` store's Suite-Zero columns.

Metrics (``cifar10``)
---------------------
``valid_accuracy`` (%, budgets 4, 12, 36, 108, single run), ``train_time`` (s, 108 epochs),
``params`` (M, every row: computed from the graph with the official network configuration,
checked equal to the published count), ``zc/<proxy>`` (score; ``zc/flops`` and ``zc/params`` in
millions as NASLib computes them on its PyTorch model), ``valid_accuracy_naslib`` (%).
The full table (3 runs x 4 budgets, train/valid/test accuracy) comes from converting an official
``.tfrecord`` with ``nasbench convert nb101-tfrecord FILE --out nb101.h5``.
"""

from __future__ import annotations

import ast
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from nasbench.arrays import seed_mean
from nasbench.recipes.base import Part, Recipe
from nasbench.sources import Source
from nasbench.spaces.nb101 import SPACE, Cell
from nasbench.store import Column
from nasbench.vocab import PROXY_DESCRIPTIONS, naslib_missing, zc_metric

PARTIAL_SOURCE = Source(
    path="nb101/nasbench-vis-partial/data-20k.json",
    sha256="7eaca9658aebf16443d3df5b38e61fe75d85787abc485cfc9a2088328443c3e9",
    repo="https://github.com/tiga1231/nasbench-vis",
    commit="7aec0e76fbcd963371799af25f78223069897b58",
    repo_path="static/data/data-20k.json",
    license="none stated",
    note="NB101 first 20,001 hashes: valid accuracy at 4/12/36/108 epochs, train time, params",
)
ZC_SOURCE = Source(
    path="naslib-zc-subsets/zc_nasbench101.json",
    sha256="c34840bc9af68b6ebaa7f052e42c1749a9a737d7243078be2a5548052bc5a0c2",
    repo="https://github.com/automl/NASLib",
    commit="9052f540457588af87633988cc1036bd2250419e",
    repo_path="naslib/data/zc_nasbench101.json",
    license="Apache-2.0",
    note="NAS-Bench-Suite-Zero: 11 zero-cost proxies and val_accuracy on 500 NB101 records",
)

BUDGETS = (4, 12, 36, 108)
#: NASLib's op indices in its 56-tuple keys (``convert_spec_to_tuple``)
NASLIB_OPS = ("input", "output", "maxpool3x3", "conv1x1-bn-relu", "conv3x3-bn-relu")
NB101_WORDING = {
    "flops": "FLOPs in millions of NASLib's PyTorch model, used as a proxy",
    "params": "parameters in millions of NASLib's PyTorch model, used as a proxy",
    "plain": "plain (gradient x weight, summed)",
}
#: the proxies of NASLib's NB101 table; its cost counts and ``plain`` are worded for NB101
PROXIES = {
    name: NB101_WORDING.get(name) or PROXY_DESCRIPTIONS[name]
    for name in (
        "epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm", "params", "plain",
        "snip", "synflow",
    )
}


def from_naslib(key: str | tuple[int, ...]) -> Cell:
    """The cell of a NASLib 56-tuple key (7 x 7 matrix flattened, then 7 op indices), pruned."""
    values = ast.literal_eval(key) if isinstance(key, str) else tuple(key)
    if len(values) != 56:
        raise ValueError(f"a NASLib NB101 key has 56 entries (49 matrix + 7 ops), got {len(values)}")
    matrix = np.array(values[:49], dtype=np.int64).reshape(7, 7)
    return Cell.from_spec(matrix, [NASLIB_OPS[int(i)] for i in values[49:]])


@lru_cache(maxsize=2)
def _partial(path: str) -> dict[str, list]:
    return json.loads(Path(path).read_text())


@lru_cache(maxsize=2)
def _zc_by_hash(path: str) -> dict[str, tuple[str, list[dict[str, float]]]]:
    """module hash -> (canonical string, the NASLib records of that cell in file order)."""
    table = json.loads(Path(path).read_text())["nasbench101"]["cifar10"]
    out: dict[str, tuple[str, list[dict[str, float]]]] = {}
    for key, record in table.items():
        cell = from_naslib(key)
        h = SPACE.canonical_hash(cell)
        out.setdefault(h, (SPACE.canonical(cell), []))[1].append(record)
    return out


@lru_cache(maxsize=2)
def _hash_rows(partial_path: str, zc_path: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(hashes, archs)`` of the store's rows, sorted by hash."""
    partial = _partial(partial_path)
    zc = _zc_by_hash(zc_path)
    hashes = sorted(set(partial["key"]) | set(zc))
    archs = tuple(zc[h][0] if h in zc else SPACE.from_hash(h) for h in hashes)
    _HASHES[archs] = tuple(hashes)
    return tuple(hashes), archs


#: arch list -> the module hash of each row, remembered when ``archs`` made the list
_HASHES: dict[tuple[str, ...], tuple[str, ...]] = {}


def archs(paths: list[Path]) -> list[str]:
    """The rows: every cell of the partial table and of the proxy table, sorted by hash."""
    return list(_hash_rows(str(paths[0]), str(paths[1]))[1])


def _row_index(archs: list[str]) -> dict[str, int]:
    """module hash -> row of ``archs``."""
    key = tuple(archs)
    hashes = _HASHES.get(key)
    if hashes is None:  # a list not made by ``archs`` (e.g. a test's): hash each cell
        hashes = tuple(SPACE.canonical_hash(a) for a in key)
    return {h: i for i, h in enumerate(hashes)}


def read_partial(paths: list[Path], archs: list[str]) -> list[Column]:
    data = _partial(str(paths[0]))
    row = _row_index(archs)
    rows = np.array([row[h] for h in data["key"]])
    n = len(archs)

    def aligned(values: list[float], scale: float = 1.0) -> np.ndarray:
        out = np.full(n, np.nan)
        out[rows] = np.asarray(values, dtype=np.float64) * scale
        return out

    published = np.asarray(data["trainable_parameters"], dtype=np.int64)
    computed = np.array([SPACE.trainable_parameters(a) for a in archs], dtype=np.int64)
    wrong = np.flatnonzero(computed[rows] != published)
    if len(wrong):
        i = int(wrong[0])
        raise ValueError(
            f"{PARTIAL_SOURCE.path}: hash {data['key'][i]} has {published[i]} parameters, but its "
            f"recovered cell has {computed[rows[i]]} ({len(wrong)} rows disagree); cell recovery is wrong"
        )
    columns = [
        Column(
            dataset="cifar10", metric="valid_accuracy", values=aligned(data[f"{b}_final_validation_accuracy"], 100.0),
            unit="%", split="valid", budget=b, aggregation="single", direction="max",
            description=(
                f"validation accuracy at the end of the {b}-epoch run, one of the 3 official runs "
                "(nasbench-vis did not say which); 20,001 cells, the smallest module hashes"
            ),
        )
        for b in BUDGETS
    ]
    columns.append(Column(
        dataset="cifar10", metric="train_time", values=aligned(data["final_training_time"]),
        unit="s", split="train", budget=108, aggregation="single", direction="min",
        description="training time of the same 108-epoch run (TPU seconds, evaluation excluded)",
    ))
    columns.append(Column(
        dataset="cifar10", metric="params", values=computed / 1e6, unit="M", aggregation="single",
        direction="min",
        description=(
            "trainable parameters of the NB101 network (official configuration), computed from the "
            "cell for every row; equal to the published count on all 20,001 rows that have one"
        ),
    ))
    return columns


def read_zc(paths: list[Path], archs: list[str]) -> list[Column]:
    zc = _zc_by_hash(str(paths[0]))
    row = _row_index(archs)
    names = [*PROXIES, "val_accuracy"]
    table = np.full((len(archs), len(names)), np.nan)
    count = np.zeros(len(archs), dtype=np.int64)
    for h, (_, records) in zc.items():
        values = naslib_missing([[rec[k] for k in names] for rec in records])
        table[row[h]] = seed_mean(values, axis=0)  # each record is its own run
        count[row[h]] = len(records)
    n_cells, n_records = int((count > 0).sum()), int(count.sum())
    spread = f"{n_records} NASLib records of {n_cells} cells; mean over a cell's records (1-{count.max()})"
    columns = [
        Column(
            dataset="cifar10", metric=zc_metric(proxy), values=table[:, k],
            unit="M" if proxy in ("flops", "params") else "score", aggregation="mean",
            direction="max", description=f"{what} at initialisation (NAS-Bench-Suite-Zero); {spread}",
        )
        for k, (proxy, what) in enumerate(PROXIES.items())
    ]
    columns.append(Column(
        dataset="cifar10", metric="valid_accuracy_naslib", values=table[:, -1], unit="%",
        split="valid", budget=108, aggregation="mean", direction="max",
        description=(
            "NASLib's val_accuracy, the target Suite-Zero correlates proxies with: one of the 3 "
            f"official 108-epoch runs drawn at random per record; {spread}"
        ),
    ))
    return columns


RECIPE = Recipe(
    name="nb101",
    space="nb101",
    archs=archs,
    arch_sources=(PARTIAL_SOURCE, ZC_SOURCE),
    parts=[
        Part("nasbench-vis-partial", (PARTIAL_SOURCE,), read_partial,
             "NB101 first 20,001 hashes: valid accuracy at 4 budgets, train time, params"),
        Part("naslib-zc-nb101", (ZC_SOURCE,), read_zc,
             "NAS-Bench-Suite-Zero proxies and NASLib val accuracy on 292 NB101 cells"),
    ],
    description=(
        "NAS-Bench-101 (CIFAR-10) as far as public partial tables go: the 20,001 cells with the "
        "smallest module hashes (single-run validation accuracy at 4/12/36/108 epochs, train time, "
        "params) and 292 cells with NAS-Bench-Suite-Zero zero-cost proxies. Rows are canonical cell "
        "strings sorted by official hash; query by any labelling or by hash. Convert the official "
        "tfrecord for the full table."
    ),
    official_index=False,
)
