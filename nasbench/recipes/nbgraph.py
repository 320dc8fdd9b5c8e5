"""The ``nbgraph`` store: NAS-Bench-Graph light tables for all 9 datasets.

Rows are the 26,206 canonical architectures of the ``nbgraph`` space in official key order (row i
is ``SPACE.enumerate()``'s i-th arch; ``SPACE.key(arch)`` gives the key the ``.bench`` files use;
``official_index`` is False because the keys are not 0..n-1).

Datasets: cora, citeseer, pubmed, cs, physics, photo, computers, arxiv (26,206 archs each) and
proteins (2,021 archs, the ones built from ``PROTEINS_OPS``; NaN elsewhere).

===========================  =====  =====  ===================================================
metric                       unit   split  from the ``.bench`` field
===========================  =====  =====  ===================================================
``valid_accuracy``           %      valid  ``valid_perf`` x 100
``test_accuracy``            %      test   ``perf`` x 100
``latency/authors``          ms     -      ``latency`` (seconds) x 1000
``params``                   M      -      ``para`` (already millions)
===========================  =====  =====  ===================================================

Caveats: the light files hold one value per arch. The accuracies are means over the 3 seeds the
authors ran (aggregation ``mean``): on cora every ``valid_perf`` x 1500 and ``perf`` x 3000 is an
integer (500 validation and 1,000 test nodes, 3 runs), while single-run multiples are not. Per-seed
values and per-epoch curves are only in the figshare "full" files, not read here. Each
dataset was trained with its own fixed hyperparameters; the light files do not record the epoch
count and PROVENANCE does not state it, so ``budget`` is None (read it as "the authors' schedule",
not "untrained"). Latency was measured by the authors on hardware the file does not name.

Reading: the ``.bench`` files are pickles. Each is sha256-checked first and then unpickled with
an allow-list that admits only the two numpy globals needed to rebuild float64 scalars; anything
else (code from the benchmark's own package, builtins) is refused.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np

from nasbench.recipes.base import Part, Reader, Recipe
from nasbench.sources import Source, load_pickle
from nasbench.spaces.nbgraph import PROTEINS_OPS, SPACE
from nasbench.store import Column

REPO = "https://github.com/THUMNLab/NAS-Bench-Graph"
COMMIT = "be42534b56f6aaab2c3d6145b10eda9cbde10193"
_SHA256 = {
    "cora": "5e69b2f9bb08d8927d9ffd4921f8494a3cea349c9c3a461334cb9dc9e11701a8",
    "citeseer": "99c7f79b73372636305bf73fb32a58b63c57bd1871a152dd62ec72d984c8c50f",
    "pubmed": "10b4dcf6cfd3a24f6059f7d541a4a872960b4adac0b3dba26abed1bb9a3d904d",
    "cs": "71ae8469930517160b024f52db6000a4897f1aff5d765beb27bb60952ed5bd31",
    "physics": "1e309bafee0b832c8b84fa3c039c36992bc0a910238b128f26b7e9190d7f2aea",
    "photo": "5511b4dc3f63fa988792177227db7901290fb9b27fc6c02e3036b29e134ed6df",
    "computers": "fdb3dc0cf405d62322f0ab9614b2083c2a5e6576c2f43e4f2214be64bc62b1b3",
    "arxiv": "7ee21a7653297a806c0ed1be3efe6ecc06acc84e48e942da0bfde0e5d287debe",
    "proteins": "b9e7fb0902bda44fec32c948e5fde822fb22d38d674c52e43ace5197378f2d21",
}
DATASETS: tuple[str, ...] = tuple(_SHA256)
SOURCES = {
    name: Source(
        path=f"nas-bench-graph/{name}.bench",
        sha256=sha,
        repo=REPO,
        commit=COMMIT,
        repo_path=f"nas-bench-graph/light/{name}.bench",
        license="Apache-2.0",
        note=f"NAS-Bench-Graph light table for {name}: valid/test accuracy, latency, params",
    )
    for name, sha in _SHA256.items()
}
FIELDS = ("valid_perf", "perf", "latency", "para")


def _scalar(dtype: np.dtype, data: bytes) -> float:
    """Stand-in for numpy's scalar reconstructor: the float the bytes encode."""
    return float(np.frombuffer(data, dtype=dtype)[0])


class _BenchUnpickler(pickle.Unpickler):
    """Unpickler that resolves only numpy's float64 scalar pickling (nothing executable)."""

    _ALLOWED = {
        ("numpy.core.multiarray", "scalar"): _scalar,
        ("numpy._core.multiarray", "scalar"): _scalar,
        ("numpy", "dtype"): np.dtype,
    }

    def find_class(self, module: str, name: str) -> Any:  # pickle protocol
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"NAS-Bench-Graph .bench file references {module}.{name}; only numpy float "
                "scalars are expected (refusing to load it)"
            ) from None


def read_bench(path: str | Path) -> dict[int, dict[str, float]]:
    """``{key: {valid_perf, perf, latency, para}}`` from a ``.bench`` file (verify its sha256
    first: ``SOURCES[name].verified_path()``).

    Raises:
        ValueError: the file is not a dict of that shape.
    """
    table = load_pickle(path, unpickler=_BenchUnpickler)  # bytes checked against the pin
    if not isinstance(table, dict):
        raise ValueError(f"{path}: expected a dict key -> record, got {type(table).__name__}")
    out: dict[int, dict[str, float]] = {}
    for key, rec in table.items():
        if not isinstance(key, int) or not isinstance(rec, dict) or set(rec) != set(FIELDS):
            raise ValueError(f"{path}: record {key!r} is not an int key with fields {FIELDS}")
        out[key] = {f: float(rec[f]) for f in FIELDS}
    return out


def _rows_by_key(archs: list[str]) -> dict[int, int]:
    return {SPACE.key(a): i for i, a in enumerate(archs)}


def _reader(dataset: str) -> Reader:
    def read(paths: list[Path], archs: list[str]) -> list[Column]:
        table = read_bench(paths[0])
        rows = _rows_by_key(archs)
        values = np.full((len(archs), len(FIELDS)), np.nan)
        for key, rec in table.items():
            row = rows.get(key)
            if row is None:
                raise ValueError(
                    f"{SOURCES[dataset].path}: key {key} is not a canonical NAS-Bench-Graph key"
                )
            values[row] = [rec[f] for f in FIELDS]
        expected = len(SPACE.classes(PROTEINS_OPS)) if dataset == "proteins" else len(archs)
        if len(table) != expected:
            raise ValueError(f"{SOURCES[dataset].path} has {len(table)} archs; expected {expected}")
        seeds = "mean over the authors' 3 seeds, with the dataset's fixed hyperparameters"
        common: dict[str, Any] = {"dataset": dataset, "budget": None}
        return [
            Column(
                metric="valid_accuracy",
                values=values[:, 0] * 100.0,
                unit="%",
                split="valid",
                aggregation="mean",
                description=f"validation accuracy ({seeds}); light table field valid_perf",
                direction="max",
                **common,
            ),
            Column(
                metric="test_accuracy",
                values=values[:, 1] * 100.0,
                unit="%",
                split="test",
                aggregation="mean",
                description=f"test accuracy ({seeds}); light table field perf",
                direction="max",
                **common,
            ),
            Column(
                metric="latency/authors",
                values=values[:, 2] * 1000.0,
                unit="ms",
                split="",
                aggregation="single",
                description=(
                    "inference latency as measured by the NAS-Bench-Graph authors (device not "
                    "recorded); light table field latency, converted from seconds"
                ),
                direction="min",
                **common,
            ),
            Column(
                metric="params",
                values=values[:, 3],
                unit="M",
                split="",
                aggregation="single",
                description="parameters in millions, for this dataset's input and output sizes",
                direction="min",
                **common,
            ),
        ]

    return read


RECIPE = Recipe(
    name="nbgraph",
    space="nbgraph",
    archs=lambda: list(SPACE.enumerate()),
    parts=[
        Part(f"nbgraph-light-{d}", (SOURCES[d],), _reader(d), f"NAS-Bench-Graph light table, {d}")
        for d in DATASETS
    ],
    official_index=False,
    description=(
        "NAS-Bench-Graph (Qin et al., NeurIPS 2022): 26,206 GNN architectures (4 computing nodes, "
        "9 ops, isomorphism-reduced) trained on 9 node-classification datasets with fixed "
        "per-dataset hyperparameters. Rows are canonical archs in official key order "
        "(space.key(arch) is the key of the .bench files). proteins covers only the 2,021 archs "
        "built from gcn/sage/arma/fc/skip. Accuracies in %, latency in ms, params in millions."
    ),
)
