"""Reader for the official NATS-Bench "simple" format (topology ``tss`` and size ``sss``).

The format
----------
NATS-Bench publishes each search space as a directory (``NATS-tss-v1_0-3ffb9-simple/``,
``NATS-sss-v1_0-50262-simple/``; unpack the official ``.tar`` first) holding bz2-compressed
pickles:

* ``meta.pickle.pbz2``: ``{"meta_archs": [arch string per official index], "total_archs": n, ...}``
  (15,625 NB201 cell strings for tss, 32,768 channel strings like ``8:16:32:64:64`` for sss).
* ``<index>.pickle.pbz2`` (``000284.pickle.pbz2``; unpadded names are accepted too): one
  architecture. An OrderedDict keyed by the training schedule ``hp`` (tss: ``"12"``, ``"200"``;
  sss: ``"01"``, ``"12"``, ``"90"`` epochs), each value a dict with ``arch_index``, ``arch_str``,
  ``dataset_seed`` and ``all_results[(dataset, seed)]``, one trial each:

  - ``train_acc1es`` / ``train_losses`` / ``train_times``: ``{epoch: value}`` per epoch;
  - ``eval_acc1es`` / ``eval_losses`` / ``eval_times``: ``{"<set>@<epoch>": value}``, where the set
    is ``x-valid``, ``x-test`` or ``ori-test``. Not every epoch is evaluated on every set: in the
    200-epoch tss schedule ``cifar10-valid`` has ``ori-test`` only at the last epoch and
    ``cifar100`` / ``ImageNet16-120`` have ``x-valid`` / ``x-test`` only at the last epoch;
  - ``params`` (M), ``flop`` (M), ``latency`` (a list of seconds; ``<= 0`` = not measured),
    ``epochs``, ``seed``, ``arch_config``, ``net_state_dict`` (None in the simple format).

The files need only the standard library and numpy. They are read with a restricted unpickler: it
resolves ``collections.OrderedDict`` and numpy's scalar/array/dtype reconstructors, turns classes of
the official packages (``xautodl``, ``nats_bench``, ``nas_201_api``), should a file reference them,
into plain dicts, and refuses every other global, so reading a file never imports or runs
third-party code.

What becomes a store column
---------------------------
For every schedule ``hp`` (budget = its epoch count) and dataset (NATS's own names:
``cifar10-valid``, ``cifar10``, ``cifar100``, ``ImageNet16-120``):

==================  =========================================================================
metric              meaning
==================  =========================================================================
train_accuracy      top-1 accuracy (%) on the training set of the schedule
train_loss          cross-entropy on the training set
train_time          seconds of training; the curve is cumulative (time spent up to and including
                    each epoch), so its last entry equals the total, which is the scalar value
valid_accuracy      top-1 on ``x-valid`` (not for ``cifar10``, which trains on train+valid)
valid_loss          cross-entropy on ``x-valid``
test_accuracy       top-1 on ``ori-test`` for ``cifar10`` and ``cifar10-valid`` (the official
                    CIFAR-10 test set) and on ``x-test`` for ``cifar100`` / ``ImageNet16-120``
                    (the half of the official test set NATS uses as test; the other half is
                    ``x-valid``), as the official API's ``get_more_info`` does
test_loss           cross-entropy on the same set
valtest_accuracy    top-1 on ``ori-test`` for ``cifar100`` / ``ImageNet16-120``: the whole
                    official test set (x-valid + x-test), the official ``valtest-accuracy``
valtest_loss        cross-entropy on the same set
valid_time,         seconds spent evaluating on the valid / test / valtest set, summed over the
test_time,          epochs it was evaluated after (the official ``*-all-time``); the curve is
valtest_time        cumulative like ``train_time``'s, NaN at epochs without an evaluation
==================  =========================================================================

With these, every number the official ``get_more_info`` (at the final epoch; any epoch through
the curves) and ``get_cost_info`` return has a query: ``<set>-per-time`` is the total divided by
the budget. The ``seeds`` columns record the official seed ids (``seed_ids``: 777, 888, 999), so
``query(..., seed=777)`` selects that trial, and ``seed=k`` (k below the number of trials) the
k-th in seed order.

each as ``seeds`` (n, s): the final-epoch value of each trial, seed axis = the sorted union of
the seeds seen for that schedule and dataset (named in the column's description; NaN where an
architecture lacks that seed); ``mean`` (n,): the mean over the trials an architecture has (the
official API's ``is_random=False``); and, with ``curves=True``, ``curve`` (n, s, epochs): the value
after every epoch, NaN where the set was not evaluated at that epoch. A curve is written only when
some trial has more than its final epoch for that set.

Per dataset without a budget: ``params`` (M), ``flops`` (M) and ``latency/gpu`` (ms; the file
stores seconds per batch, measured by the NATS authors on a GPU, batch size 256 per the official
API), averaged over the trials (they agree).

Rows are every architecture of ``meta_archs`` in official order (or the store's own arch list);
architectures without a record file are NaN.

Entry points: ``read_meta``, ``read_record`` (one architecture as ``Record`` / ``Run`` objects with
numpy curves), ``to_columns`` / ``iter_columns`` (store columns for any list of rows) and
``convert`` (a whole directory -> a store; ``nasbench convert nats DIR --out FILE.h5``).

Caveats: reading takes about 40 ms per record file (bz2 dominates), so a full tss directory takes
about 10 minutes. Curves are stored densely: a full 200-epoch tss conversion writes about 1.2 GB
(15,625 x 3 seeds x 200 epochs x 16 curves x 8 bytes) and so does a directory with only a few
records, since every row exists; ``curves=False`` (``--no-curves``) keeps only final values
(about 24 MB). Memory stays near one column at a time.
"""

from __future__ import annotations

import hashlib
import importlib
import pickle
import re
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nasbench.arrays import seed_mean
from nasbench.store import Column

#: the test set each dataset's ``test_*`` metrics use (the official API's choice)
TEST_SET = {
    "cifar10-valid": "ori-test",
    "cifar10": "ori-test",
    "cifar100": "x-test",
    "ImageNet16-120": "x-test",
}
#: the validation set (``cifar10`` trains on train+valid and has none)
VALID_SET = "x-valid"
#: the ``valtest`` set of cifar100 / ImageNet16-120: the whole official test set, whose halves are
#: x-valid and x-test (the official API's ``valtest-*`` entries)
VALTEST_SET = "ori-test"
#: what each dataset trains on, for column descriptions
TRAINED_ON = {
    "cifar10-valid": "the CIFAR-10 train half (the other half is x-valid)",
    "cifar10": "the full CIFAR-10 training set (train+valid)",
    "cifar100": "the CIFAR-100 training set",
    "ImageNet16-120": "the ImageNet16-120 training set",
}
SPACES = {"tss": "nb201", "sss": "nats_sss"}

_RECORD = re.compile(r"^(\d+)\.pickle\.pbz2$")
_OFFICIAL_PACKAGES = ("xautodl", "nats_bench", "nas_201_api", "models", "procedures")
_NUMPY_GLOBALS = {"scalar", "_reconstruct", "dtype", "ndarray", "_frombuffer"}


# -- unpickling ---------------------------------------------------------------------------------
class NatsFileError(pickle.UnpicklingError, ValueError):
    """A file that is not a readable NATS simple-format pickle (not bz2, truncated, or referring
    to code a NATS file never needs); a ``ValueError``, so the CLI prints it as one line."""


class _StandIn:
    """Takes the place of a class from the official packages; keeps only its state."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.__dict__["_args"] = args

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 2:  # (dict, slots)
            state = {**(state[0] or {}), **(state[1] or {})}
        self.__dict__.update(state if isinstance(state, dict) else {"_state": state})


class _Unpickler(pickle.Unpickler):
    """Resolves only the globals NATS files need (see the module docstring)."""

    used_stand_ins = False

    def find_class(self, module: str, name: str) -> Any:
        if module == "collections" and name == "OrderedDict":
            return OrderedDict
        if module == "copyreg" and name == "_reconstructor":
            import copyreg

            return copyreg._reconstructor  # type: ignore[attr-defined]  # private, but what pickles name
        if (module == "numpy" or module.startswith(("numpy.core", "numpy._core"))) and (
            name in _NUMPY_GLOBALS
        ):
            # numpy 2 renamed numpy.core to numpy._core; files written by numpy 1 name the old one
            target = "numpy" if module == "numpy" else module.replace("numpy.core", "numpy._core", 1)
            return getattr(importlib.import_module(target), name)
        if module.split(".")[0] in _OFFICIAL_PACKAGES:
            self.used_stand_ins = True
            return _StandIn
        raise NatsFileError(
            f"NATS file refers to {module[:60]}.{name[:60]}, which a NATS simple-format file "
            "never needs; refusing to load it"
        )


def _plain(obj: Any) -> Any:
    """Stand-ins -> dicts, recursively (only through dicts, lists and tuples)."""
    if isinstance(obj, _StandIn):
        return {k: _plain(v) for k, v in obj.__dict__.items() if k != "_args"}
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(v) for v in obj)
    return obj


def load_pickle(path: str | Path) -> Any:
    """Load one ``.pickle.pbz2`` file of the official format as plain Python / numpy objects."""
    import bz2
    import io

    from nasbench.sources import pin_of, read_pinned

    # a file a recipe pinned is unpickled from the very bytes checked against its pin
    raw = read_pinned(path) if pin_of(path) else Path(path).read_bytes()
    try:
        with bz2.open(io.BytesIO(raw), "rb") as fh, warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            unpickler = _Unpickler(fh)
            obj = unpickler.load()
        return _plain(obj) if unpickler.used_stand_ins else obj
    except NatsFileError as exc:
        raise NatsFileError(f"{str(path)!r}: {exc}") from None
    except FileNotFoundError:
        raise
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, MemoryError, RecursionError, UnicodeDecodeError) as exc:
        reason = " ".join(str(exc).split())[:80] or type(exc).__name__
        raise NatsFileError(
            f"{str(path)!r} is not a NATS simple-format file: not bz2-compressed, truncated or "
            f"not a pickle ({type(exc).__name__}: {reason})"
        ) from None


# -- reading ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Meta:
    """The ``meta.pickle.pbz2`` of a NATS directory."""

    path: Path
    kind: str  # "tss" or "sss"
    archs: list[str]

    @property
    def space(self) -> str:
        """The nasbench space of the archs: ``nb201`` (tss) or ``nats_sss`` (sss)."""
        return SPACES[self.kind]


@dataclass(frozen=True)
class Run:
    """One trial: an architecture trained under one schedule on one dataset with one seed.

    ``train`` maps ``accuracy`` / ``loss`` / ``time`` to per-epoch arrays (``time`` per epoch, not
    cumulative); ``evals`` maps a set name (``x-valid``, ``x-test``, ``ori-test``) to the same
    three fields, NaN at epochs where that set was not evaluated. ``latency`` is in seconds (NaN if
    not measured).
    """

    hp: str
    dataset: str
    seed: int
    epochs: int
    train: dict[str, np.ndarray]
    evals: dict[str, dict[str, np.ndarray]]
    params: float
    flops: float
    latency: float


@dataclass(frozen=True)
class Record:
    """Everything one ``<index>.pickle.pbz2`` holds: ``runs[(hp, dataset, seed)]``."""

    index: int
    arch: str
    runs: dict[tuple[str, str, int], Run] = field(default_factory=dict)

    @property
    def hps(self) -> list[str]:
        return sorted({hp for hp, _, _ in self.runs}, key=int)

    def seeds(self, hp: str, dataset: str) -> list[int]:
        return sorted(s for h, d, s in self.runs if h == hp and d == dataset)


def _check_dir(directory: str | Path) -> Path:
    directory = Path(directory)
    if not (directory / "meta.pickle.pbz2").is_file():
        raise FileNotFoundError(
            f"{str(directory)!r} is not a NATS simple-format directory: it has no meta.pickle.pbz2 "
            "(expected e.g. NATS-tss-v1_0-3ffb9-simple/ with meta.pickle.pbz2 and "
            "<index>.pickle.pbz2 files; unpack the official .tar first)"
        )
    return directory


def read_meta(directory: str | Path) -> Meta:
    """The official index -> arch string list of a NATS directory, and which space it is."""
    path = _check_dir(directory) / "meta.pickle.pbz2"
    meta = load_pickle(path)
    if not isinstance(meta, dict) or not isinstance(meta.get("meta_archs"), (list, tuple)):
        raise NatsFileError(f"{str(path)!r} has no 'meta_archs' list; not a NATS meta file")
    archs = [str(a) for a in meta["meta_archs"]]
    if not archs:
        raise ValueError(f"{str(path)!r} lists no architectures")
    if archs[0].startswith("|"):
        kind = "tss"
    elif ":" in archs[0]:
        kind = "sss"
    else:
        raise ValueError(
            f"{str(path)!r}: cannot tell the space from arch {archs[0]!r} "
            "(expected an NB201 string '|op~0|+...' or channels '8:16:...')"
        )
    return Meta(path=path, kind=kind, archs=archs)


def record_files(directory: str | Path) -> dict[int, Path]:
    """Official index -> record file, for every ``<index>.pickle.pbz2`` in the directory."""
    out: dict[int, Path] = {}
    for path in _check_dir(directory).iterdir():
        m = _RECORD.match(path.name)
        if m:
            index = int(m.group(1))
            if index in out:
                raise ValueError(
                    f"{str(directory)!r} has two record files for index {index}: "
                    f"{out[index].name} and {path.name}"
                )
            out[index] = path
    return dict(sorted(out.items()))


def _curve(values: dict[Any, Any] | None, epochs: int, key: Any = None) -> np.ndarray:
    out = np.full(epochs, np.nan)
    if values:
        for e in range(epochs):
            v = values.get(e if key is None else f"{key}@{e}")
            if v is not None:
                out[e] = float(v)
    return out


def _run(hp: str, dataset: str, seed: int, raw: dict[str, Any]) -> Run:
    epochs = int(raw["epochs"])
    evals: dict[str, dict[str, np.ndarray]] = {}
    names = list(raw.get("eval_names") or [])
    names += sorted({k.rsplit("@", 1)[0] for k in (raw.get("eval_acc1es") or {})} - set(names))
    for name in names:
        evals[name] = {
            "accuracy": _curve(raw.get("eval_acc1es"), epochs, name),
            "loss": _curve(raw.get("eval_losses"), epochs, name),
            "time": _curve(raw.get("eval_times"), epochs, name),
        }
    latency = raw.get("latency")
    if isinstance(latency, (list, tuple)):
        latency = float(np.mean(latency)) if len(latency) else None
    latency = float(latency) if latency is not None and float(latency) > 0 else np.nan
    return Run(
        hp=hp,
        dataset=dataset,
        seed=seed,
        epochs=epochs,
        train={
            "accuracy": _curve(raw.get("train_acc1es"), epochs),
            "loss": _curve(raw.get("train_losses"), epochs),
            "time": _curve(raw.get("train_times"), epochs),
        },
        evals=evals,
        params=float(raw["params"]) if raw.get("params") is not None else np.nan,
        flops=float(raw["flop"]) if raw.get("flop") is not None else np.nan,
        latency=latency,
    )


def read_record(directory: str | Path, index: int) -> Record:
    """Read the record file of official index ``index`` into plain numpy curves.

    Raises:
        FileNotFoundError: the directory has no record file for ``index``.
        ValueError: the file is not a NATS per-architecture record.
    """
    directory = Path(directory)
    path = next(
        (p for p in (directory / f"{index:06d}.pickle.pbz2", directory / f"{index}.pickle.pbz2")
         if p.is_file()),
        None,
    )
    if path is None:
        raise FileNotFoundError(
            f"no record for index {index} in {str(directory)!r} (expected {index:06d}.pickle.pbz2)"
        )
    return parse_record(load_pickle(path), index, str(path))


def parse_record(raw: Any, index: int, where: str = "record") -> Record:
    """A ``Record`` from an already loaded per-architecture object.

    Raises:
        ValueError: ``raw`` is not a NATS per-architecture record (``NatsFileError``).
    """
    try:
        return _parse_record(raw, index, where)
    except NatsFileError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError, OverflowError) as exc:
        reason = " ".join(str(exc).split())[:80] or type(exc).__name__
        raise NatsFileError(f"{where}: not a NATS per-architecture record ({reason})") from None


def _parse_record(raw: Any, index: int, where: str) -> Record:
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{where}: expected a dict keyed by schedule ('12', '200', ...)")
    runs: dict[tuple[str, str, int], Run] = {}
    arch = ""
    for hp, results in raw.items():
        if not isinstance(results, dict) or "all_results" not in results:
            raise ValueError(f"{where}: schedule {hp!r} has no 'all_results'")
        if int(results.get("arch_index", index)) != index:
            raise ValueError(
                f"{where}: file holds arch_index {results['arch_index']}, expected {index}"
            )
        arch = str(results.get("arch_str", arch))
        for (dataset, seed), trial in results["all_results"].items():
            runs[(str(hp), str(dataset), int(seed))] = _run(str(hp), str(dataset), int(seed), trial)
    return Record(index=index, arch=arch, runs=runs)


# -- columns ------------------------------------------------------------------------------------
#: (metric, where in a Run, field, unit, split, direction)
_METRICS = (
    ("train_accuracy", "train", "accuracy", "%", "train", "max"),
    ("train_loss", "train", "loss", "cross-entropy", "train", "min"),
    ("train_time", "train", "time", "s", "train", "min"),
    ("valid_accuracy", "valid", "accuracy", "%", "valid", "max"),
    ("valid_loss", "valid", "loss", "cross-entropy", "valid", "min"),
    ("valid_time", "valid", "time", "s", "valid", "min"),
    ("test_accuracy", "test", "accuracy", "%", "test", "max"),
    ("test_loss", "test", "loss", "cross-entropy", "test", "min"),
    ("test_time", "test", "time", "s", "test", "min"),
    ("valtest_accuracy", "valtest", "accuracy", "%", "valtest", "max"),
    ("valtest_loss", "valtest", "loss", "cross-entropy", "valtest", "min"),
    ("valtest_time", "valtest", "time", "s", "valtest", "min"),
)


def _eval_set(dataset: str, where: str, available: Iterable[str]) -> str | None:
    """The evaluation set behind ``valid`` / ``test`` / ``valtest`` metrics of ``dataset``, as the
    official ``get_more_info`` picks it (None: the dataset has no such metric)."""
    if where == "valid":
        return None if dataset == "cifar10" else VALID_SET
    if where == "valtest":  # the official test set, where ``test`` is its x-test half
        return None if dataset in ("cifar10", "cifar10-valid") else VALTEST_SET
    name = TEST_SET.get(dataset)
    if name is None:
        name = "x-test" if "x-test" in available else "ori-test"
    return name


def _cumulative(times: np.ndarray) -> np.ndarray:
    """Seconds spent up to and including each epoch; NaN at epochs with no timing (an evaluation
    set is not evaluated after every epoch), so the final entry is the total over the schedule."""
    total = np.nancumsum(times)
    total[~np.isfinite(times)] = np.nan
    return total


def _series(run: Run, where: str, fld: str) -> tuple[np.ndarray | None, str]:
    """The per-epoch series of one metric of a run and the set it was measured on."""
    if where == "train":
        values = run.train[fld]
        return (_cumulative(values) if fld == "time" else values), "train"
    name = _eval_set(run.dataset, where, run.evals)
    if name is None:
        return None, ""
    block = run.evals.get(name)
    if block is None:
        return None, name
    return (_cumulative(block[fld]) if fld == "time" else block[fld]), name


class _Accumulator:
    """Collects runs into compact arrays, one slot per record read (seeds and epochs are known
    only once every record is read); ``columns`` expands them to the store's rows one at a time.
    """

    def __init__(self, slots: int, curves: bool) -> None:
        self.m = slots
        self.curves = curves
        self.final: dict[tuple[str, str, str, int], np.ndarray] = {}
        self.curve: dict[tuple[str, str, str, int], np.ndarray] = {}
        self.epochs: dict[str, int] = {}
        self.sets: dict[tuple[str, str, str], str] = {}
        self.cost_sum: dict[tuple[str, str], np.ndarray] = {}
        self.cost_count: dict[tuple[str, str], np.ndarray] = {}

    def add(self, slot: int, run: Run, where: str) -> None:
        known = self.epochs.setdefault(run.hp, run.epochs)
        if known != run.epochs:
            raise ValueError(
                f"{where}: schedule {run.hp!r} has {run.epochs} epochs here but {known} elsewhere"
            )
        for metric, part, fld, *_ in _METRICS:
            series, name = _series(run, part, fld)
            if series is None or not np.isfinite(series).any():
                continue
            self.sets.setdefault((run.hp, run.dataset, metric), name)
            key = (run.hp, run.dataset, metric, run.seed)
            final = self.final.get(key)
            if final is None:
                final = self.final[key] = np.full(self.m, np.nan)
            final[slot] = series[-1]
            if not self.curves:
                continue
            curve = self.curve.get(key)
            if curve is None and np.isfinite(series[:-1]).any():
                # the first trial with more than a final value: earlier slots had only the final
                curve = self.curve[key] = np.full((self.m, run.epochs), np.nan)
                curve[:, -1] = final
            if curve is not None:
                curve[slot] = series
        for cost, value in (("params", run.params), ("flops", run.flops),
                            ("latency/gpu", run.latency * 1e3)):
            if np.isfinite(value):
                key2 = (run.dataset, cost)
                if key2 not in self.cost_sum:
                    self.cost_sum[key2] = np.zeros(self.m)
                    self.cost_count[key2] = np.zeros(self.m)
                self.cost_sum[key2][slot] += value
                self.cost_count[key2][slot] += 1

    def columns(self, rows: np.ndarray, n: int, source: str) -> Iterator[Column]:
        """Columns with ``n`` rows; slot i goes to row ``rows[i]``. Frees what it has yielded."""

        def expand(compact: np.ndarray) -> np.ndarray:
            out = np.full((n, *compact.shape[1:]), np.nan)
            out[rows] = compact
            return out

        groups: dict[tuple[str, str, str], list[int]] = {}
        for hp, dataset, metric, seed in self.final:
            groups.setdefault((hp, dataset, metric), []).append(seed)
        spec = {m[0]: m for m in _METRICS}
        order = {m[0]: i for i, m in enumerate(_METRICS)}
        for hp, dataset, metric in sorted(groups, key=lambda k: (k[1], order[k[2]], int(k[0]))):
            seeds = sorted(groups[(hp, dataset, metric)])
            _, _, _, unit, split, direction = spec[metric]
            budget = self.epochs[hp]
            per_seed = np.stack([self.final[(hp, dataset, metric, s)] for s in seeds], axis=1)
            mean = seed_mean(per_seed)
            what = _describe(metric, dataset, self.sets[(hp, dataset, metric)], budget)
            seed_text = f"seed axis = seeds {', '.join(map(str, seeds))}"
            common: dict[str, Any] = dict(dataset=dataset, metric=metric, unit=unit, split=split,
                          budget=budget, source=source, direction=direction)
            yield Column(values=expand(mean), aggregation="mean", **common,
                         description=f"{what}; mean over the trials each arch has ({seed_text})")
            yield Column(values=expand(per_seed), aggregation="seeds", seed_ids=tuple(seeds),
                         **common,
                         description=f"{what}; one value per trial, {seed_text}, NaN = not run")
            if any((hp, dataset, metric, s) in self.curve for s in seeds):
                curve = np.full((self.m, len(seeds), budget), np.nan)
                for j, s in enumerate(seeds):
                    c = self.curve.pop((hp, dataset, metric, s), None)
                    if c is None:
                        curve[:, j, -1] = self.final[(hp, dataset, metric, s)]
                    else:
                        curve[:, j, :] = c
                yield Column(values=expand(curve), aggregation="curve", **common,
                             description=f"{what}; after every epoch (n, seeds, epochs), "
                             f"{seed_text}, NaN where not evaluated")
                del curve
        cost_spec = {
            "params": ("M", "", "parameters in millions (NATS 'params')"),
            "flops": ("M", "", "FLOPs of one forward pass in millions (NATS 'flop')"),
            "latency/gpu": ("ms", "min", "inference latency as recorded by NATS-Bench (seconds "
                            "per batch of 256 on a GPU in the file, converted to ms)"),
        }
        for (dataset, cost), total in sorted(self.cost_sum.items()):
            unit, direction, text = cost_spec[cost]
            with np.errstate(invalid="ignore", divide="ignore"):
                values = total / self.cost_count[(dataset, cost)]
            yield Column(dataset=dataset, metric=cost, values=expand(values), unit=unit, split="",
                         budget=None, aggregation="single", source=source,
                         description=f"{text} of the {dataset} network, averaged over its trials",
                         direction=direction)


def _describe(metric: str, dataset: str, measured_on: str, budget: int) -> str:
    what = metric.replace("_", " ")
    if metric == "train_time":
        what = "training time in seconds (cumulative over epochs; the scalar is the total)"
    elif metric.endswith("_time"):
        what = (f"evaluation time in seconds on {measured_on} (cumulative over the epochs it was "
                "evaluated after; the scalar is the total, the official '*-all-time')")
    elif measured_on != "train":
        what += f" on {measured_on}"
    return (f"NATS-Bench {what} of the {budget}-epoch schedule, trained on "
            f"{TRAINED_ON.get(dataset, dataset)}; final epoch")


def iter_columns(
    directory: str | Path,
    archs: Sequence[str] | None = None,
    *,
    indices: Iterable[int] | None = None,
    curves: bool = True,
    progress: bool = False,
    source: str = "",
) -> Iterator[Column]:
    """Like ``to_columns``, but yields the columns one by one (peak memory: one column)."""
    meta = read_meta(directory)
    archs = list(meta.archs if archs is None else archs)
    official = {a: i for i, a in enumerate(meta.archs)}
    rows: dict[int, int] = {}
    for row, arch in enumerate(archs):
        index = official.get(arch)
        if index is None:
            raise ValueError(
                f"arch {arch!r} is not in {str(meta.path)!r} (a NATS-{meta.kind} meta list)"
            )
        rows[index] = row
    files = record_files(directory)
    wanted = list(files) if indices is None else [int(i) for i in indices]
    missing = [i for i in wanted if i not in files]
    if missing:
        raise FileNotFoundError(
            f"{str(directory)!r} has no record file for index {missing[0]} "
            f"({len(missing)} of the requested indices are missing)"
        )
    todo = [i for i in wanted if i in rows]
    acc = _Accumulator(len(todo), curves)
    from tqdm.auto import tqdm

    bar = tqdm(todo, desc=f"read NATS-{meta.kind}", unit="arch", disable=not progress)
    for slot, index in enumerate(bar):
        record = parse_record(load_pickle(files[index]), index, str(files[index]))
        if record.arch and record.arch != meta.archs[index]:
            raise ValueError(
                f"{files[index]}: arch_str {record.arch!r} differs from meta_archs[{index}] "
                f"{meta.archs[index]!r}"
            )
        for run in record.runs.values():
            acc.add(slot, run, str(files[index]))
    slots_to_rows = np.array([rows[i] for i in todo], dtype=np.intp)
    yield from acc.columns(slots_to_rows, len(archs), source or f"nats-{meta.kind}-simple")


def to_columns(
    directory: str | Path,
    archs: Sequence[str] | None = None,
    *,
    indices: Iterable[int] | None = None,
    curves: bool = True,
    progress: bool = False,
    source: str = "",
) -> list[Column]:
    """Store columns from a NATS simple-format directory (see the module docstring).

    Args:
        directory: the ``NATS-{tss,sss}-*-simple`` directory.
        archs: the store's arch strings (rows, any subset and order of ``meta_archs``);
            default: ``meta_archs`` in official order.
        indices: read only these official indices' record files (default: every one present).
        curves: also return per-epoch ``curve`` columns (large for a full directory).
        progress: show a tqdm bar over the record files.
        source: the columns' ``source`` id (default ``nats-<kind>-simple``).

    Raises:
        ValueError: an arch is not in ``meta_archs``, or a record disagrees with the meta list.
        FileNotFoundError: not a NATS directory, or a requested index has no record file.
    """
    return list(iter_columns(directory, archs, indices=indices, curves=curves,
                             progress=progress, source=source))


def directory_digest(directory: str | Path) -> tuple[str, int]:
    """sha256 over ``"<name> <sha256>\\n"`` of every record file (sorted), and their count."""
    from nasbench.sources import sha256_of

    files = record_files(directory)
    digest = hashlib.sha256()
    for path in files.values():
        digest.update(f"{path.name} {sha256_of(path)}\n".encode())
    return digest.hexdigest(), len(files)


def convert(
    directory: str | Path,
    out: str | Path,
    *,
    name: str | None = None,
    curves: bool = True,
    progress: bool = True,
) -> Path:
    """Convert a NATS simple-format directory into a store at ``out`` (atomically).

    Rows are all ``meta_archs`` in official order; the store's name defaults to ``nats_tss`` /
    ``nats_sss`` and its space is ``nb201`` / ``nats_sss``. Its provenance names the meta file and
    a digest over every record file, so the store says exactly which files it came from.
    """
    from nasbench.sources import sha256_of
    from nasbench.store import write_store

    directory = _check_dir(directory)
    meta = read_meta(directory)
    source = f"nats-{meta.kind}-simple"
    columns = iter_columns(directory, curves=curves, progress=progress, source=source)
    digest, count = directory_digest(directory)
    measured = sum(1 for i in record_files(directory) if i < len(meta.archs))
    provenance = [
        {"path": str(meta.path), "sha256": sha256_of(meta.path), "repo": "", "commit": "",
         "repo_path": "", "license": "", "note": "NATS meta (official index -> arch)",
         "part": source},
        {"path": str(directory), "sha256": digest, "repo": "", "commit": "", "repo_path": "",
         "license": "", "part": source,
         "note": f"{count} record files; sha256 over '<name> <sha256>' lines, sorted by index"},
    ]
    description = (
        f"NATS-Bench {'topology (tss)' if meta.kind == 'tss' else 'size (sss)'} space converted "
        f"from the official simple format in {directory.name}: {len(meta.archs):,} archs in "
        f"official index order, {measured:,} with records (the rest NaN). Datasets as NATS names "
        "them: 'cifar10-valid' (trained on half of CIFAR-10 train, validated on the other half), "
        "'cifar10' (trained on train+valid), 'cifar100', 'ImageNet16-120'. Budgets are the "
        "schedules' epoch counts; seed=777 (an official seed id) selects that trial and seed=k "
        "(k = 0, 1, ...) the k-th of the sorted seeds named in each description."
    )
    return write_store(
        out,
        name=name or f"nats_{meta.kind}",
        space=meta.space,
        archs=meta.archs,
        columns=columns,
        sources=provenance,
        description=description,
        official_index=True,
    )
