"""``Benchmark``: the query API over one store.

Open one with ``nasbench.load``::

    >>> import nasbench
    >>> nb = nasbench.load("nb201")
    >>> nb.query("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
    ...          "cifar10", "test_accuracy")
    93.66000000000001

Every query names its **dataset** and **metric**. Two more choices have explicit defaults, printed
by ``describe``:

* ``budget``: the training schedule in epochs. Default: the dataset's *full budget*, its longest
  schedule (unless that schedule was run for fewer than half as many archs as another, as in
  SpikeNAS, where the schedule that covers the table is the full one). NB201 accuracies exist at
  200 epochs and, from a separate 12-epoch schedule, at 12; ``budget=12`` selects the latter. It
  is never the 12th epoch of the 200-epoch run. A default never switches schedule: a metric with
  no value at the full budget (NB201's cifar100 ``valid_accuracy`` exists at 12 epochs only)
  raises ``MissingBudgetError`` (a ``KeyError``) naming the budgets that exist; pass one of them.
  Metrics no schedule applies to (params, latency, proxies) have budget None.
* ``seed``: default ``None`` = the mean over the seeds that were run (NB201 ran 1 to 3 per arch).
  ``seed=k`` returns one run: the run with official seed id ``k`` where the store records seed ids
  (NATS-Bench: 777, 888, 999), else the ``k``-th run (k = 0, 1, ...; NaN where it does not exist).
  ``seed="all"`` returns every run, shape ``(n, seeds)``. Only metrics stored per seed allow these.

Architectures may be given as

* the benchmark's **string** (or the space's object, e.g. ``nb201.Cell``): a string always means
  the arch it parses as, never a number, even when it is made of digits (NAS-Bench-Macro's
  ``"00000010"`` is an arch);
* an **int**: the benchmark's *official index*, where the benchmark publishes one (NB201 / NATS
  index, SpikeNAS ``arch_id``, NAS-Bench-Graph key; ``has_official_index``). A store without one
  refuses ints; ``archs[row]`` gives the arch at a row of the store and ``rows(archs)`` the rows.

bytes, bools, floats, complex numbers, negative ints and boolean arrays are refused with an
``InvalidArgumentError`` or ``UnknownArchitectureError`` naming the argument. A list, tuple or
numpy array of archs returns a numpy vector, computed without a Python loop per row for indices
(strings are resolved by one C-level hash lookup each: about 0.7 ms for all 15,625 NB201 archs).

Missing measurements are NaN. Dataset names are exact: in NB201, ``cifar10`` is trained on
train+valid and tested on the official test set, ``cifar10-valid`` is trained on train only and
validated on the held-out half of the training set; ``describe`` says which split each metric uses.

Errors: an architecture that is not in the table raises ``UnknownArchitectureError``; an unknown
dataset or metric raises ``UnknownNameError`` (a ``KeyError``) listing the names that exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nasbench.arrays import seed_mean
from nasbench.errors import (
    InvalidArgumentError,
    MissingBudgetError,
    StoreError,
    UnknownArchitectureError,
    UnknownNameError,
    check_int,
    quote,
)
from nasbench.store import ArrayInfo, MetricMeaning, open_store

if TYPE_CHECKING:
    import pandas as pd

    from nasbench.spaces.base import SearchSpace

#: a curve read for fewer rows than this share of the table is read row by row (h5py slicing);
#: more, and reading the whole array once (and keeping it) is cheaper
_PARTIAL_READ_SHARE = 0.05

#: no space's arch string is near this long; longer text is refused before any parser sees it
MAX_ARCH_TEXT = 100_000

#: argument types that are never an architecture, with the reason a user gets
_NOT_ARCHS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    ((bool, np.bool_), "a bool is not an architecture; give an arch string or an official index (int)"),
    ((bytes, bytearray, memoryview), "bytes are not an architecture; decode them to a str first"),
    ((float, complex, np.floating, np.complexfloating),
     "an architecture index is an int, not a float or complex number"),
)


@dataclass(kw_only=True)
class MetricDescription(MetricMeaning):
    """What ``Benchmark.describe(dataset, metric)`` returns; prints as a small manual page.

    The meaning fields (dataset, metric, unit, split, direction, source, description) are those of
    ``nasbench.store.MetricMeaning``; the rest says which variants exist and which one a default
    query returns.

    Attributes:
        budgets: every budget (epochs) stored for this metric; None = no schedule applies.
        budget: the budget this description is about: the one ``query`` uses for the ``budget``
            passed to ``describe`` (None passed = the default).
        default_budget: the budget a query without ``budget=`` uses; None where no schedule
            applies, or where the full budget has no values (then ``default_error`` says why).
        full_budget: the dataset's full budget (its longest schedule covering the table).
        default_error: empty, or the message a query without ``budget=`` raises.
        per_seed: single runs are stored (``seed=k`` / ``seed="all"`` work).
        seeds: number of seed slots per arch (1 when not per seed).
        seed_ids: official seed ids of those slots (``()`` if the store records none).
        measured: archs with a value at ``budget``.
        n_archs: archs in the store.
    """

    budgets: tuple[int | None, ...]
    budget: int | None
    default_budget: int | None
    full_budget: int | None
    default_error: str
    per_seed: bool
    seeds: int
    seed_ids: tuple[int, ...]
    measured: int
    n_archs: int

    def __str__(self) -> str:
        budgets = ", ".join("none stated" if b is None else f"{b} epochs" for b in self.budgets)
        better = {"max": "higher is better", "min": "lower is better"}.get(self.direction, "-")
        if self.default_error:
            default = f"default: none, {self.default_error}"
        elif self.default_budget is None:
            default = "default: none stated (no training schedule applies)"
        else:
            default = f"default: {self.default_budget} epochs, the full budget"
        used = "-" if self.budget is None else f"{self.budget} epochs"
        ids = f" (seed ids {', '.join(map(str, self.seed_ids))})" if self.seed_ids else ""
        seed_default = (
            f"mean over up to {self.seeds} seeds{ids} (seed=k or seed='all' for single runs)"
            if self.per_seed
            else "as stored (no per-seed values)"
        )
        lines = [
            f"{self.dataset} / {self.metric}",
            f"  unit        {self.unit or '-'}",
            f"  split       {self.split or '-'}",
            f"  direction   {better}",
            f"  budgets     {budgets}  ({default})",
            f"  budget used {used}",
            f"  seeds       default: {seed_default}",
            f"  measured    {self.measured:,} of {self.n_archs:,} archs (rest NaN)",
            f"  source      {self.source}",
            f"  about       {self.description}",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def _budget_order(budget: int | None) -> int:
    return -1 if budget is None else budget


def _full_budget(coverage: Mapping[int | None, int]) -> int | None:
    """The largest budget measured for at least half as many archs as the best covered one.

    Usually that is simply the largest (NB201: 200 epochs over 12). Where a longer schedule was run
    for a few archs only (SpikeNAS: 690 archs at 200 epochs, the other 14,935 at 100), it is the
    budget that covers the table, so a default query does not return mostly NaN.
    """
    if not coverage:
        return None
    best = max(coverage.values())
    return max((b for b, n in coverage.items() if 2 * n >= best), key=_budget_order)


def _check_budget(budget: object) -> int | None:
    if budget is None:
        return None
    return check_int("budget (epochs)", budget, low=0)


def _check_seed(seed: object) -> int | str | None:
    if seed is None or (isinstance(seed, str) and seed == "all"):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise InvalidArgumentError(
            f"seed must be None (mean), 'all', or an int (a run's position or official seed id); "
            f"got {quote(seed)}"
        )
    return int(seed)


class Benchmark:
    """Read-only view of one store. Create with ``nasbench.load(name)`` or ``Benchmark(path)``.

    Attributes:
        name: benchmark name (``"nb201"``).
        space: the ``SearchSpace`` its architectures belong to.
        archs: architecture strings in row order (official index order where one exists).
        sources: provenance of every raw file the store was built from.
        official_index: True if row i of the store is the arch with official index i.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file, header = open_store(self.path)
        self.name = header.name
        self.archs: list[str] = header.archs
        self.sources = header.sources
        self.description = header.description
        self.official_index = header.official_index
        self.digest = header.digest
        self._space_name = header.space
        self._row = {a: i for i, a in enumerate(self.archs)}
        self._n = len(self.archs)
        # (dataset, metric) -> {(budget, aggregation): ArrayInfo}
        self._entries: dict[tuple[str, str], dict[tuple[int | None, str], ArrayInfo]] = {}
        for info in header.catalog:
            self._entries.setdefault((info.dataset, info.metric), {})[
                (info.budget, info.aggregation)
            ] = info
        self._datasets = sorted({d for d, _ in self._entries})
        self._full: dict[str, int | None] = {}
        # (dataset, metric, budget and seed with their types) -> resolved array; the hot path is
        # one dict lookup
        self._cache: dict[tuple[Any, ...], np.ndarray] = {}

    # -- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the HDF5 file (arrays already read stay usable)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    @property
    def closed(self) -> bool:
        """True after ``close()``: arrays already read stay usable, new ones cannot be read."""
        return self._file is None

    def __reduce__(self) -> tuple[type[Benchmark], tuple[str]]:
        # an open HDF5 handle cannot travel to another process; the store file can (joblib, Dask)
        return (type(self), (str(self.path),))

    def __deepcopy__(self, memo: dict[int, Any]) -> Benchmark:
        # a read-only view of a file: a copy would reopen the same store to hold the same data
        return self

    def __enter__(self) -> Benchmark:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing left to close cleanly
            pass

    def __repr__(self) -> str:
        return (
            f"<Benchmark {self.name!r}: {self._n:,} archs in space {self._space_name!r}, "
            f"datasets {', '.join(self._datasets)}>"
        )

    # -- the space and the archs ----------------------------------------------------------------
    @property
    def space_name(self) -> str:
        """Name of the search space (``nasbench.spaces.get(space_name)``)."""
        return self._space_name

    @property
    def space(self) -> SearchSpace:
        """The ``SearchSpace`` the archs belong to."""
        from nasbench import spaces

        return spaces.get(self._space_name)

    @property
    def has_official_index(self) -> bool:
        """True if an int names an arch here (the benchmark publishes an official index)."""
        return self.official_index or self.space.has_official_index

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[str]:
        return iter(self.archs)

    def __contains__(self, arch: object) -> bool:
        try:
            self.row(arch)
        except (UnknownArchitectureError, TypeError, ValueError):
            return False
        return True

    @cached_property
    def _official_indices(self) -> np.ndarray:
        """The official index of every row (``index`` of each arch), computed once per store and
        kept in the derived-table cache (NAS-Bench-Graph: 1.4 s to compute, ms to load)."""
        if self.official_index:
            return np.arange(self._n, dtype=np.int64)
        space = self.space
        if not space.has_official_index:
            raise InvalidArgumentError(self._no_index_message())
        from nasbench.cache import cached

        def check(table: np.ndarray) -> bool:  # a few rows against today's space.index
            rows = np.linspace(0, max(self._n - 1, 0), min(16, self._n)).astype(int)
            return table.shape == (self._n,) and all(table[r] == space.index(self.archs[r])
                                                      for r in rows)

        return cached(f"{self.name}-official-index", f"{self.space_name}:{self.digest}",
                      lambda: np.array([space.index(a) for a in self.archs], dtype=np.int64),
                      check)

    @cached_property
    def _index_order(self) -> np.ndarray:
        return np.argsort(self._official_indices, kind="stable")

    def row(self, arch: Any) -> int:
        """Row of ``arch`` in the store (its position in ``archs``)."""
        return self._row_of(arch)

    def index(self, arch: Any) -> int:
        """The official index of ``arch`` (NB201 / NATS index, NAS-Bench-Graph key, ...).

        Raises:
            InvalidArgumentError: the benchmark has no official index (use ``row``).
        """
        return int(self._official_indices[self._row_of(arch)])

    def sample(
        self,
        n: int,
        seed: int | None = None,
        *,
        dataset: str | None = None,
        metric: str | None = None,
        replace: bool = False,
    ) -> list[str]:
        """``n`` archs drawn from the table (without replacement by default).

        With ``dataset`` and ``metric``, only archs that have a value for that metric are drawn.
        """
        n = check_int("sample: n", n)
        if seed is not None:
            seed = check_int("sample: seed", seed)
        rows = np.arange(self._n)
        if dataset is not None or metric is not None:
            if dataset is None or metric is None:
                raise InvalidArgumentError("sample: give both dataset and metric, or neither")
            rows = rows[np.isfinite(self._array(dataset, metric, None, None))]
        if not replace and n > len(rows):
            raise InvalidArgumentError(
                f"sample: asked for {n} archs without replacement; only {len(rows)} exist"
            )
        chosen = np.random.default_rng(seed).choice(rows, size=n, replace=replace)
        return [self.archs[i] for i in chosen]

    # -- names ----------------------------------------------------------------------------------
    @property
    def datasets(self) -> list[str]:
        """Dataset (task) names in this store."""
        return list(self._datasets)

    def metrics(self, dataset: str) -> list[str]:
        """Metric names available for ``dataset``."""
        self._check_dataset(dataset)
        return sorted(m for d, m in self._entries if d == dataset)

    def _check_dataset(self, dataset: str) -> None:
        if not isinstance(dataset, str) or dataset not in self._datasets:
            raise UnknownNameError(f"dataset of {self.name}", dataset, self._datasets)

    def _variants(self, dataset: str, metric: str) -> dict[tuple[int | None, str], ArrayInfo]:
        if not isinstance(metric, str):
            self._check_dataset(dataset)
            raise UnknownNameError(f"metric of {self.name}/{dataset}", metric, self.metrics(dataset))
        try:
            return self._entries[(dataset, metric)]
        except (KeyError, TypeError):
            self._check_dataset(dataset)
            raise UnknownNameError(
                f"metric of {self.name}/{dataset}", metric, self.metrics(dataset)
            ) from None

    # -- budgets ----------------------------------------------------------------------------
    def full_budget(self, dataset: str) -> int | None:
        """The dataset's full budget: its longest schedule that covers the table (see module doc)."""
        if dataset not in self._full:
            self._check_dataset(dataset)
            coverage: dict[int | None, int] = {}
            for (d, _), variants in self._entries.items():
                if d != dataset:
                    continue
                for (budget, _), info in variants.items():
                    if budget is not None:
                        coverage[budget] = max(coverage.get(budget, 0), info.measured)
            self._full[dataset] = _full_budget(coverage)
        return self._full[dataset]

    def _default_budget(self, dataset: str, metric: str) -> int | None:
        """The budget of a query without ``budget=``; raises ``MissingBudgetError`` if the full
        budget has no values for this metric (a default never switches schedule)."""
        budgets = self.budgets(dataset, metric)
        full = self.full_budget(dataset)
        if full in budgets:
            return full
        if None in budgets:  # a value no schedule applies to (params, latency, proxies)
            return None
        raise MissingBudgetError(dataset, metric, full, budgets, default=True)

    def budgets(self, dataset: str, metric: str) -> tuple[int | None, ...]:
        """Every budget (epochs) stored for ``dataset``/``metric``, None first."""
        return tuple(sorted({b for b, _ in self._variants(dataset, metric)}, key=_budget_order))

    # -- resolving a query to an array ----------------------------------------------------------
    def _array(self, dataset: str, metric: str, budget: int | None, seed: Any) -> np.ndarray:
        # types are part of the key: True == 1 and 200.0 == 200 as dict keys, and neither may
        # reach an answer cached for the int without being refused by the checks below
        key = (dataset, metric, type(budget), budget, type(seed), seed)
        arr = self._cache.get(key)
        if arr is None:
            arr = self._resolve(dataset, metric, _check_budget(budget), _check_seed(seed))
            self._cache[key] = arr
        return arr

    def _at_budget(self, dataset: str, metric: str, budget: int | None) -> dict[str, ArrayInfo]:
        variants = self._variants(dataset, metric)
        if budget is None:
            budget = self._default_budget(dataset, metric)
        elif budget not in {b for b, _ in variants}:
            raise MissingBudgetError(dataset, metric, budget, self.budgets(dataset, metric))
        return {agg: info for (b, agg), info in variants.items() if b == budget}

    def _resolve(self, dataset: str, metric: str, budget: int | None, seed: Any) -> np.ndarray:
        at = self._at_budget(dataset, metric, budget)
        if seed is None:
            for agg in ("mean", "single"):
                if agg in at:
                    return self._read(at[agg])
            if "seeds" in at:
                return seed_mean(self._read(at["seeds"]))
            if "curve" in at:
                return self._final_of_curve(self._read(at["curve"]))
        if "seeds" not in at:
            used = next(iter(at.values())).budget
            raise InvalidArgumentError(
                f"{dataset}/{metric} at budget {used} is not stored per seed; "
                "use seed=None (the stored value)"
            )
        info = at["seeds"]
        per_seed = self._read(info)
        if seed == "all":
            return per_seed
        slots = per_seed.shape[1]
        if seed in info.seed_ids:
            return per_seed[:, info.seed_ids.index(seed)]
        if 0 <= seed < slots:
            return per_seed[:, seed]
        ids = f", or an official seed id ({', '.join(map(str, info.seed_ids))})" if info.seed_ids else ""
        raise InvalidArgumentError(
            f"seed must be None (mean), 'all', or an int in 0..{slots - 1}{ids}; got {seed!r}"
        )

    @staticmethod
    def _final_of_curve(curve: np.ndarray) -> np.ndarray:
        last = curve[..., -1]
        return seed_mean(last) if last.ndim == 2 else last

    def _read(self, info: ArrayInfo, rows: np.ndarray | None = None) -> np.ndarray:
        """The array of ``info`` (all rows, or the sorted unique ``rows``), checksum-verified."""
        if self._file is None:
            raise StoreError(f"benchmark {self.name!r} is closed; open it again with nasbench.load")
        try:
            ds = self._file[info.path]
            arr = ds[()] if rows is None else ds[rows]
        except Exception as exc:  # fletcher32 mismatch (OSError) or a damaged header
            raise StoreError(
                f"store {self.name!r} ({self.path}) is corrupt: array {info.path} fails its "
                f"checksum ({' '.join(str(exc).split())[:80]}); rebuild with "
                f"`nasbench build {self.name}`"
            ) from None
        arr.setflags(write=False)
        return arr

    # -- resolving archs to rows ----------------------------------------------------------------
    def _no_index_message(self) -> str:
        return (
            f"{self.name} has no official integer index; give the arch string "
            f"(e.g. {quote(self.archs[0]) if self.archs else 'an arch'}), or take bench.archs[row] "
            "for the arch at a row of the store"
        )

    def _row_of_index(self, index: int) -> int:
        """Row of the arch with official index ``index``."""
        if index < 0:
            raise UnknownArchitectureError(index, self.name, "official indices are >= 0")
        if self.official_index:
            if index < self._n:
                return index
            raise UnknownArchitectureError(index, self.name, f"indices run from 0 to {self._n - 1}")
        space = self.space
        if not space.has_official_index:
            raise InvalidArgumentError(self._no_index_message())
        try:
            text = space.arch_at(index)
        except (ValueError, IndexError, TypeError) as exc:
            raise UnknownArchitectureError(index, self.name, str(exc)) from None
        row = self._row.get(text)
        if row is None:
            raise UnknownArchitectureError(
                index, self.name, f"official index {index} is {text}, which the table has no row for"
            )
        return row

    def _row_of(self, arch: Any) -> int:
        if isinstance(arch, str):
            row = self._row.get(arch)
            if row is not None:
                return row
            return self._row_slow(arch)
        for types, why in _NOT_ARCHS:
            if isinstance(arch, types):
                raise InvalidArgumentError(f"{why}; got {quote(arch)}")
        if isinstance(arch, (int, np.integer)):
            return self._row_of_index(int(arch))
        if isinstance(arch, np.ndarray) and arch.ndim == 0:
            return self._row_of(arch.item())
        return self._row_slow(arch)

    def _row_slow(self, arch: Any) -> int:
        """Normalise through the space (other spacing, space objects) and look up again."""
        space = self.space
        if isinstance(arch, str) and len(arch) > MAX_ARCH_TEXT:
            raise UnknownArchitectureError(
                arch, self.name, f"longer than any {space.name} arch string ({len(arch):,} characters)"
            )
        try:
            text = space.to_string(arch)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError,
                OverflowError, MemoryError) as exc:
            reason = " ".join(str(exc).split())[:200] or type(exc).__name__
            raise UnknownArchitectureError(
                arch, self.name, f"not a valid {space.name} arch: {reason}"
            ) from None
        row = self._row.get(text)
        if row is None:
            raise UnknownArchitectureError(
                arch, self.name, f"a valid {space.name} arch, but the table has no row for it"
            )
        return row

    def rows(self, archs: Iterable[Any] | np.ndarray) -> np.ndarray:
        """Rows of the store (positions in ``archs``) of several archs, in the order given.

        Args:
            archs: arch strings, space objects or official indices (ints), as in ``query``.

        Shapes:
            archs: ``(n,)``; returns ``(n,)`` intp.
        """
        if isinstance(archs, np.ndarray):
            if archs.ndim != 1:
                raise InvalidArgumentError(
                    f"archs must be one-dimensional, got an array of shape {archs.shape}"
                )
            if archs.dtype.kind in "iu":
                return self._rows_of_indices(archs)
            if archs.dtype.kind not in "OUS" or archs.dtype.kind == "S":
                raise InvalidArgumentError(
                    f"archs must be arch strings or official indices (ints); got an array of "
                    f"dtype {archs.dtype}"
                )
        if isinstance(archs, (str, bytes, bytearray, memoryview)):
            raise InvalidArgumentError(f"rows takes a sequence of archs, got {quote(archs)}")
        archs = list(archs)
        try:
            # one C-level dict lookup per arch; anything not found verbatim (indices, Cells,
            # strings spelled differently) is -1 and takes the slow path below
            rows = np.fromiter(map(self._row.get, archs, repeat(-1)), dtype=np.intp, count=len(archs))
        except TypeError:  # an unhashable item (e.g. a list): resolve one by one
            rows = np.full(len(archs), -1, dtype=np.intp)
        for i in np.flatnonzero(rows < 0):
            rows[i] = self._row_of(archs[i])
        return rows

    def _rows_of_indices(self, indices: np.ndarray) -> np.ndarray:
        indices = indices.astype(np.int64, copy=False)
        if not self.official_index:
            if not self.space.has_official_index:
                raise InvalidArgumentError(self._no_index_message())
            keys, order = self._official_indices, self._index_order
            at = np.clip(np.searchsorted(keys, indices, sorter=order), 0, max(self._n - 1, 0))
            rows = order[at] if self._n else np.zeros(0, dtype=np.intp)
            bad = keys[rows] != indices if self._n else np.ones(len(indices), dtype=bool)
            for i in np.flatnonzero(bad):  # the one-by-one path says why
                self._row_of_index(int(indices[i]))
            return rows.astype(np.intp)
        bad = (indices < 0) | (indices >= self._n)
        if bad.any():
            raise UnknownArchitectureError(
                int(indices[bad][0]), self.name, f"indices run from 0 to {self._n - 1}"
            )
        return indices.astype(np.intp, copy=False)

    @staticmethod
    def _one_arch(archs: Any) -> bool:
        """True if ``archs`` is one architecture, False if it is a collection of them."""
        if isinstance(archs, (str, bytes, bytearray, memoryview)):
            return True  # bytes are refused later, as one (bad) arch, not as a list of numbers
        if isinstance(archs, np.ndarray):
            return archs.ndim == 0
        return not hasattr(archs, "__len__") and not isinstance(archs, Iterator)

    # -- queries --------------------------------------------------------------------------------
    def query(
        self,
        archs: Any,
        dataset: str,
        metric: str | Sequence[str],
        *,
        budget: int | None = None,
        seed: int | str | None = None,
    ) -> float | np.ndarray | pd.DataFrame:
        """The value of one metric for one arch (a float) or many (a numpy array).

        Args:
            archs: an arch (string, official index or space object) or a sequence / array of them.
            dataset: dataset name, e.g. ``"cifar10"``; see ``datasets``.
            metric: metric name, e.g. ``"test_accuracy"``; see ``metrics(dataset)``. A list of
                names returns a pandas DataFrame: one row per arch (index ``arch``), one column
                per metric, each at ``budget`` and ``seed`` (``seed="all"`` is refused there).
            budget: training epochs; None = the full budget (see ``describe``).
            seed: None = mean over seeds; ``k`` = one run; ``"all"`` = every run.

        Returns:
            ``float`` for one arch (NaN if not measured), else an array with one row per arch;
            for a list of metrics, a DataFrame (one row per arch, also for one arch).

        Raises:
            UnknownArchitectureError: an arch is not in the table (an index out of range too).
            InvalidArgumentError: an argument of the wrong type (bytes, bool, float as an arch;
                ``seed=True``; an int on a benchmark without an official index).
            UnknownNameError / MissingBudgetError: an unknown dataset or metric, or no value at
                the budget asked for (or at the full budget, by default); both are KeyErrors.

        Shapes:
            archs: one arch, or ``(n,)``; returns a float, ``(seeds,)`` for one arch with
            ``seed="all"``, ``(n,)``, or ``(n, seeds)`` with ``seed="all"``.
        """
        if not isinstance(metric, str):
            return self._query_many(archs, dataset, metric, budget=budget, seed=seed)
        arr = self._cache.get((dataset, metric, type(budget), budget, type(seed), seed))
        if arr is None:
            arr = self._array(dataset, metric, budget, seed)
        if self._one_arch(archs):
            row = self._row.get(archs) if isinstance(archs, str) else None
            if row is None:
                row = self._row_of(archs)
            value = arr[row]
            return float(value) if value.ndim == 0 else value.copy()
        return arr[self.rows(archs)]

    def _query_many(
        self, archs: Any, dataset: str, metrics: Any, *, budget: int | None, seed: Any
    ) -> pd.DataFrame:
        import pandas as pd

        if isinstance(metrics, (bytes, bytearray)) or not isinstance(metrics, Iterable):
            raise InvalidArgumentError(
                f"metric must be a name or a list of names, got {quote(metrics)}"
            )
        names = list(metrics)
        if not names or not all(isinstance(m, str) for m in names):
            raise InvalidArgumentError(f"metric list must hold one or more names, got {quote(names)}")
        if isinstance(seed, str) and seed == "all":
            raise InvalidArgumentError(
                "seed='all' returns a 2-D array per metric; query the metrics one at a time"
            )
        rows = np.array([self._row_of(archs)]) if self._one_arch(archs) else self.rows(archs)
        data = {m: self._array(dataset, m, budget, seed)[rows] for m in names}
        return pd.DataFrame(data, index=pd.Index([self.archs[i] for i in rows], name="arch"))

    def values(
        self, dataset: str, metric: str, *, budget: int | None = None, seed: int | str | None = None
    ) -> np.ndarray:
        """The metric for every arch, in row order (a read-only array, not a copy)."""
        return self._array(dataset, metric, budget, seed)

    def curve(
        self, archs: Any, dataset: str, metric: str, *, budget: int | None = None
    ) -> np.ndarray:
        """Per-epoch values, shaped as stored: ``([seeds,] epochs)`` per arch, ``(n, ...)`` for many.

        ``budget`` defaults to the dataset's full budget, as in ``query``; a metric whose curve
        exists for another schedule only raises ``MissingBudgetError`` naming it.
        Only metrics stored with aggregation ``curve`` have one (``catalog`` lists them); NaN
        marks seeds or epochs that were not run. Curves often exist for a few archs only (NB201's
        cifar10-valid curves for rows 0-199): ONE arch without any value raises ``ValueError``
        saying which rows have a curve; for MANY archs, those without one are all-NaN rows.
        A few archs are read from the file row by row; many (over 5% of the table) read the
        whole array once and keep it.
        """
        variants = self._variants(dataset, metric)
        curves = {b: info for (b, agg), info in variants.items() if agg == "curve"}
        if not curves:
            raise InvalidArgumentError(f"{dataset}/{metric} has no per-epoch curve in {self.name}")
        budget = _check_budget(budget)
        if budget is None:  # as for query: the full budget, never silently another schedule
            budget = self.full_budget(dataset)
            if budget not in curves:
                raise MissingBudgetError(dataset, f"{metric} curve", budget,
                                         sorted(curves, key=_budget_order), default=True)
        elif budget not in curves:
            raise MissingBudgetError(dataset, metric, budget, sorted(curves, key=_budget_order))
        one = self._one_arch(archs)
        rows = np.array([self._row_of(archs)]) if one else self.rows(archs)
        key = (dataset, metric, budget, "curve")
        arr = self._cache.get(key)
        if arr is None and len(rows) >= _PARTIAL_READ_SHARE * self._n:
            arr = self._cache[key] = self._read(curves[budget])
        if arr is not None:
            out = arr[rows]
        else:  # h5py reads increasing unique rows; put them back in the order asked
            unique, inverse = np.unique(rows, return_inverse=True)
            out = self._read(curves[budget], unique)[inverse]
        if one and not np.isfinite(out[0]).any():
            raise ValueError(self._no_curve_message(archs, dataset, metric, budget, curves[budget]))
        return out[0].copy() if one else out

    def _no_curve_message(self, arch: Any, dataset: str, metric: str, budget: int | None,
                          info: ArrayInfo) -> str:
        key = (dataset, metric, budget, "curve-rows")
        has = self._cache.get(key)
        if has is None:
            has = self._cache[key] = np.isfinite(self._read(info).reshape(self._n, -1)).any(axis=1)
        rows = np.flatnonzero(has)
        return (f"{self.name} has a {dataset}/{metric} curve (budget {budget}) for {len(rows):,} "
                f"of {self._n:,} archs (rows {_ranges(rows)}); arch {quote(arch)} has none")

    def frame(
        self,
        dataset: str,
        metrics: Sequence[str] | None = None,
        *,
        budget: int | None = None,
        archs: Sequence[Any] | None = None,
    ) -> pd.DataFrame:
        """A pandas DataFrame: one row per arch (index ``arch``), one column per metric.

        Columns are the default variant of each metric (full budget, seed mean) unless ``budget``
        is given, in which case metrics without that budget are left out (and a budget no metric
        has is an error). Without ``budget``, metrics without a value at the full budget are left
        out (``describe`` names their budgets). An ``index`` column holds the official index
        where the benchmark has one; ``row`` holds the row of the store.
        """
        import pandas as pd

        budget = _check_budget(budget)
        names = self.metrics(dataset) if metrics is None else list(metrics)
        rows = np.arange(self._n) if archs is None else self.rows(archs)
        data: dict[str, np.ndarray] = {"row": rows}
        if self.has_official_index:
            data["index"] = self._official_indices[rows]
        for metric in names:
            if metrics is None:
                budgets = self.budgets(dataset, metric)
                if budget is not None and budget not in budgets:
                    continue
                if budget is None:
                    try:
                        self._default_budget(dataset, metric)
                    except MissingBudgetError:
                        continue
            data[metric] = self._array(dataset, metric, budget, None)[rows]
        if budget is not None and len(data) == 1 + self.has_official_index:
            every = sorted({b for m in names for b in self.budgets(dataset, m) if b is not None})
            raise MissingBudgetError(dataset, "*", budget, every)
        return pd.DataFrame(data, index=pd.Index([self.archs[i] for i in rows], name="arch"))

    def filter(
        self,
        dataset: str,
        metric: str,
        *,
        min: float | None = None,
        max: float | None = None,
        budget: int | None = None,
    ) -> list[str]:
        """Archs whose ``metric`` lies in ``[min, max]`` (either bound optional; NaN never does)."""
        values = self._array(dataset, metric, budget, None)
        return [self.archs[i] for i in np.flatnonzero(_within(values, min, max, "filter"))]

    def _direction(self, dataset: str, metric: str, given: str | None = None) -> str:
        direction = given or next(iter(self._variants(dataset, metric).values())).direction
        if direction not in ("max", "min"):
            raise InvalidArgumentError(
                f"{dataset}/{metric} has no stated direction; say which is better, e.g. "
                f"{{{metric!r}: 'max'}} or {{{metric!r}: 'min'}}"
            )
        return direction

    def _frame_of(self, rows: np.ndarray, columns: dict[str, np.ndarray]) -> pd.DataFrame:
        import pandas as pd

        data: dict[str, np.ndarray] = {"row": rows}
        if self.has_official_index:
            data["index"] = self._official_indices[rows]
        data.update({m: v[rows] for m, v in columns.items()})
        return pd.DataFrame(data, index=pd.Index([self.archs[i] for i in rows], name="arch"))

    def top(
        self, dataset: str, metric: str, k: int = 10, *, budget: int | None = None
    ) -> pd.DataFrame:
        """The ``k`` best archs by ``metric`` (its direction decides best), as a DataFrame.

        Columns ``row`` (and ``index`` where rows are official indices) and the metric.
        """
        k = check_int("top: k", k, low=1)
        values = self._array(dataset, metric, budget, None)
        # a metric without a stated direction ranks high values first
        direction = next(iter(self._variants(dataset, metric).values())).direction or "max"
        finite = np.flatnonzero(np.isfinite(values))
        order = finite[np.argsort(values[finite], kind="stable")]
        if direction == "max":
            order = order[::-1]
        return self._frame_of(order[:k], {metric: values})

    def find_best(
        self,
        dataset: str,
        metric: str,
        *,
        constraints: Mapping[str, float | tuple[float | None, float | None]] | None = None,
        budget: int | None = None,
    ) -> tuple[str, float]:
        """The best arch by ``metric`` among those meeting every constraint, and its value.

        Args:
            constraints: metric of the same dataset -> upper bound, or ``(min, max)`` (either
                None), e.g. ``{"params": 1.0, "latency/edgegpu": (None, 5.0)}``. Constraint
                metrics are read at their default budget; NaN never meets a constraint.
            budget: budget of ``metric`` (default: the full budget).

        Raises:
            ValueError: no arch meets the constraints (``InvalidArgumentError``).
        """
        values = self._array(dataset, metric, budget, None)
        keep = self._meets(dataset, constraints or {}) & np.isfinite(values)
        candidates = np.flatnonzero(keep)
        if not len(candidates):
            raise InvalidArgumentError(
                f"find_best: no arch of {self.name}/{dataset} with a {metric} value meets "
                f"{quote(dict(constraints or {}))}"
            )
        pick = np.argmax if self._direction(dataset, metric) == "max" else np.argmin
        best = candidates[int(pick(values[candidates]))]
        return self.archs[best], float(values[best])

    def _meets(self, dataset: str, constraints: Mapping[str, Any]) -> np.ndarray:
        if not isinstance(constraints, Mapping):
            raise InvalidArgumentError(
                f"constraints must map metric names to a bound or (min, max), got {quote(constraints)}"
            )
        keep = np.ones(self._n, dtype=bool)
        for name, bound in constraints.items():
            low, high = bound if isinstance(bound, tuple) else (None, bound)
            keep &= _within(self._array(dataset, name, None, None), low, high, f"constraint {name}")
        return keep

    def pareto(
        self,
        dataset: str,
        objectives: Sequence[str] | Mapping[str, str],
        *,
        constraints: Mapping[str, float | tuple[float | None, float | None]] | None = None,
        budget: int | None = None,
    ) -> pd.DataFrame:
        """The non-dominated archs for several metrics of one dataset, e.g. accuracy vs latency.

        Args:
            objectives: metric names (each metric's stored direction says which way is better),
                or ``{metric: "max" | "min"}`` to say it for metrics without one.
            constraints: as in ``find_best``.
            budget: budget of the objectives (default: each at the full budget).

        Returns:
            A DataFrame (index ``arch``; ``row``, ``index`` where rows are official indices, one
            column per objective), sorted by the first objective from best to worst. Archs
            with NaN in an objective are left out; archs with equal values are all kept.
        """
        if isinstance(objectives, str):
            objectives = [objectives]
        given = dict(objectives) if isinstance(objectives, Mapping) else dict.fromkeys(objectives)
        if len(given) < 1:
            raise InvalidArgumentError("pareto: give at least one objective")
        columns = {m: self._array(dataset, m, budget, None) for m in given}
        signs = np.array([1.0 if self._direction(dataset, m, d) == "max" else -1.0
                          for m, d in given.items()])
        keep = self._meets(dataset, constraints or {})
        for values in columns.values():
            keep &= np.isfinite(values)
        rows = np.flatnonzero(keep)
        points = np.stack([columns[m][rows] for m in given], axis=1) * signs  # maximise all
        unique, inverse = np.unique(points, axis=0, return_inverse=True)
        on_front = _non_dominated(unique)[inverse.reshape(-1)]
        first = points[on_front, 0]
        front = np.flatnonzero(on_front)[np.argsort(-first, kind="stable")]
        return self._frame_of(rows[front], columns)

    # -- metadata ---------------------------------------------------------------------------
    def describe(self, dataset: str, metric: str, *, budget: int | None = None) -> MetricDescription:
        """What ``query(archs, dataset, metric, budget=budget)`` returns: unit, split, direction,
        the budgets that exist and the one used, the seed default, coverage and source.

        ``catalog()`` lists every stored array as a DataFrame.
        """
        variants = self._variants(dataset, metric)
        budget = _check_budget(budget)
        budgets = self.budgets(dataset, metric)
        default_error = ""
        try:
            default_budget = self._default_budget(dataset, metric)
        except MissingBudgetError as exc:
            default_budget, default_error = None, str(exc)
        used = default_budget if budget is None else budget
        if budget is not None and budget not in budgets:
            raise MissingBudgetError(dataset, metric, budget, budgets)
        if default_error and budget is None:  # describe the longest schedule there is
            used = max((b for b in budgets if b is not None), key=_budget_order)
        at = {agg: info for (b, agg), info in variants.items() if b == used}
        main = at.get("mean") or at.get("single") or next(iter(at.values()))
        seeds_info = at.get("seeds")
        meaning = main.meaning()
        meaning["source"] = self.source_text(main.source)
        return MetricDescription(
            **meaning,
            budgets=budgets,
            budget=used,
            default_budget=default_budget,
            full_budget=self.full_budget(dataset),
            default_error=default_error,
            per_seed=seeds_info is not None,
            seeds=seeds_info.shape[1] if seeds_info is not None else 1,
            seed_ids=seeds_info.seed_ids if seeds_info is not None else (),
            measured=main.measured,
            n_archs=self._n,
        )

    def catalog(self, dataset: str | None = None) -> pd.DataFrame:
        """Every stored array (for ``dataset`` if given): one row per (metric, budget,
        aggregation) with unit, split, direction, coverage and source."""
        import pandas as pd

        if dataset is not None:
            self._check_dataset(dataset)
        rows = [
            {
                "dataset": info.dataset,
                "metric": info.metric,
                "budget": info.budget,
                "aggregation": info.aggregation,
                "unit": info.unit,
                "split": info.split,
                "direction": info.direction,
                "measured": info.measured,
                "source": info.source,
            }
            for variants in self._entries.values()
            for info in variants.values()
            if dataset is None or info.dataset == dataset
        ]
        return pd.DataFrame(rows).sort_values(["dataset", "metric", "budget"]).reset_index(drop=True)

    def source_text(self, part: str) -> str:
        """A source id with the repositories it was read from, e.g. ``"meco (github.com/...)"``."""
        repos = sorted({s.get("repo", "") for s in self.sources if s.get("part") == part} - {""})
        return f"{part} ({', '.join(repos)})" if repos else part


def _ranges(rows: np.ndarray, most: int = 8) -> str:
    """Sorted row numbers as compact ranges: ``"0-199"``, ``"0, 11, 284"``; after ``most`` ranges
    the rest is counted (``"..., ... (k rows)"``)."""
    if not len(rows):
        return "none"
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    runs = [(int(r[0]), int(r[-1])) for r in np.split(rows, breaks)]
    shown = [f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:most]]
    if len(runs) > most:
        shown.append(f"... ({len(rows):,} rows)")
    return ", ".join(shown)


def _non_dominated(points: np.ndarray) -> np.ndarray:
    """Mask of the rows no other row dominates, every column maximised; rows must be unique.

    Shapes:
        points: ``(n, k)``; returns ``(n,)`` bool.
    """
    n, k = points.shape
    order = np.lexsort(tuple(-points[:, j] for j in reversed(range(k))))  # best first
    keep = np.zeros(n, dtype=bool)
    if n == 0:
        return keep
    if k == 1:
        keep[order[0]] = True
        return keep
    if k == 2:
        # sorted by the first column, a unique point is dominated iff an earlier one is at least
        # as good in the second column
        second = points[order, 1]
        best_before = np.concatenate(([-np.inf], np.maximum.accumulate(second)[:-1]))
        keep[order[second > best_before]] = True
        return keep
    front: list[int] = []
    for i in order:
        if front:
            f = points[front]
            if ((f >= points[i]).all(axis=1)).any():  # unique rows: >= everywhere dominates
                continue
        front.append(int(i))
    keep[front] = True
    return keep


def _within(values: np.ndarray, low: Any, high: Any, what: str) -> np.ndarray:
    """Mask of finite ``values`` in ``[low, high]`` (None = unbounded).

    Raises:
        InvalidArgumentError: a bound that is not a number, is NaN, or ``low > high`` (each of
            which would select nothing without a word).
    """
    keep = np.isfinite(values)
    for bound, name in ((low, "min"), (high, "max")):
        if bound is None:
            continue
        if (isinstance(bound, (bool, np.bool_)) or not isinstance(bound, (int, float, np.number))
                or np.isnan(bound)):
            raise InvalidArgumentError(f"{what}: {name} must be a number or None, got {quote(bound)}")
        keep &= (values >= bound) if name == "min" else (values <= bound)
    if low is not None and high is not None and low > high:
        raise InvalidArgumentError(f"{what}: min {low} is above max {high}; no value can lie between")
    return keep
