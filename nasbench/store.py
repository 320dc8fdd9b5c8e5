"""The one on-disk format: an HDF5 file per benchmark.

Layout::

    /                        attrs: name, space, format_version, n_archs, description,
                                    sources (json list), catalog (json list, one entry per array),
                                    digest (sha256 of /archs and every other root attribute)
    /archs                   (n,) architecture strings (fixed-width ASCII), row order = official index
    /<dataset>/<metric>@<budget>[.seeds|.curve]
                             float arrays, NaN = not measured
                             (n,)           one value per arch (seed mean or a single run)
                             (n, s)         one value per seed            (suffix .seeds)
                             (n, [s,] e)    one value per epoch           (suffix .curve)
                             attrs: every field of the array's catalog entry

Metric names may contain ``/`` (``latency/edgegpu``, ``zc/synflow``), which HDF5 turns into nested
groups; the catalog maps every (dataset, metric, budget, aggregation) to its path, so a reader never
walks the tree. The root ``catalog`` attribute repeats what each array's attrs say in one JSON
string: opening a store reads two attributes and the arch list, nothing else.

Writes are atomic: ``write_store`` writes ``<path>.tmp-<pid>`` and renames it over ``path`` only
after the file is complete and closed, so an interrupted build never leaves a half store and never
destroys the previous one; temporaries of writers that no longer run are removed by the next write.

Integrity (format version 2): every array carries HDF5's fletcher32 checksum, verified by h5py on
each read, and the root ``digest`` covers the arch list and the metadata, verified on each open
(about 1 ms for NB201). A damaged store is a ``StoreError`` naming the store and
``nasbench build NAME``, never different numbers; ``verify_store`` (``nasbench verify``) reads
every array. Stores of another format version are refused with the same advice.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from nasbench.errors import StoreError

#: 2: fletcher32 on every array, a root digest of the arch list and metadata, seed ids
FORMAT_VERSION = 2

#: how the values of one array relate to training seeds
AGGREGATIONS = ("mean", "single", "seeds", "curve")


@dataclass(kw_only=True)
class MetricMeaning:
    """What one metric means: the fields a recipe states once and every reader shows.

    ``Column`` (what a recipe writes), ``ArrayInfo`` (the catalog entry of a stored array) and
    ``nasbench.MetricDescription`` (what ``describe`` returns) all extend this record.

    Attributes:
        dataset: dataset or task name, e.g. ``"cifar10-valid"``.
        metric: metric name from the shared vocabulary, e.g. ``"valid_accuracy"``,
            ``"latency/edgegpu"``, ``"zc/synflow"``.
        unit: e.g. ``"%"``, ``"s"``, ``"ms"``, ``"mJ"``, ``"M params"``, ``"score"``.
        split: the data split the metric is measured on (``train``/``valid``/``test``/``valtest``),
            or ``""`` for properties of the architecture or hardware (params, latency, proxies).
        direction: ``"max"`` if higher is better, ``"min"`` if lower is, ``""`` if neither.
        source: short id of the recipe part that produced it.
        description: one or two sentences a user needs to trust the number.
    """

    dataset: str = field(kw_only=False)
    metric: str = field(kw_only=False)
    unit: str
    split: str = ""
    direction: str = ""
    source: str = ""
    description: str = ""

    def meaning(self) -> dict[str, str]:
        """The ``MetricMeaning`` fields alone, as keyword arguments for another record."""
        return {f.name: getattr(self, f.name) for f in fields(MetricMeaning)}


@dataclass(kw_only=True)
class Column(MetricMeaning):
    """One metric array and what it means, as a recipe hands it to ``write_store``.

    ``Column(dataset, metric, values, unit=..., ...)``; the meaning fields are those of
    ``MetricMeaning``.

    Attributes:
        values: float array aligned with the store's archs; NaN where not measured.
        budget: training epochs of the schedule the metric comes from, or None where no schedule
            applies (latency, params, proxies on untrained nets) or none is stated.
        aggregation: ``mean`` (over seeds), ``single`` (one run), ``seeds`` (n, s) or
            ``curve`` (n, [s,] epochs).
        seed_ids: official ids of the seed axis' slots (NATS-Bench: 777, 888, 999), or ``()``.

    Shapes:
        values: ``(n,)``, ``(n, seeds)`` or ``(n, [seeds,] epochs)`` by ``aggregation``.
    """

    values: np.ndarray = field(kw_only=False)
    budget: int | None = None
    aggregation: str = "mean"
    seed_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        self.values = np.asarray(self.values, dtype=np.float64)
        self.seed_ids = tuple(int(s) for s in self.seed_ids)
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(
                f"column {self.dataset}/{self.metric}: aggregation {self.aggregation!r} is not "
                f"one of {', '.join(AGGREGATIONS)}"
            )
        if self.direction not in ("max", "min", ""):
            raise ValueError(
                f"column {self.dataset}/{self.metric}: direction must be 'max', 'min' or ''"
            )
        for part, what in ((self.dataset, "dataset"), (self.metric, "metric")):
            if not part or part.startswith("/") or part.endswith("/") or "@" in part:
                raise ValueError(f"invalid {what} name {part!r}: no leading/trailing '/', no '@'")
        if self.seed_ids and (self.aggregation != "seeds" or self.values.ndim < 2
                              or len(self.seed_ids) != self.values.shape[1]):
            raise ValueError(
                f"column {self.dataset}/{self.metric}: seed_ids need aggregation 'seeds' and one "
                f"id per column of values"
            )

    @property
    def path(self) -> str:
        """Where the array lives in the HDF5 file."""
        path = f"/{self.dataset}/{self.metric}"
        if self.budget is not None:
            path += f"@{self.budget}"
        if self.aggregation in ("seeds", "curve"):
            path += f".{self.aggregation}"
        return path


@dataclass(kw_only=True)
class ArrayInfo(MetricMeaning):
    """Catalog entry of one stored array: a ``Column`` without its values, plus its shape and
    how many archs have a value."""

    path: str
    budget: int | None
    aggregation: str
    shape: tuple[int, ...]
    measured: int = 0
    seed_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, column: Column) -> ArrayInfo:
        vals = column.values
        measured = int(np.isfinite(vals.reshape(len(vals), -1)).any(axis=1).sum()) if vals.size else 0
        return cls(
            **column.meaning(),
            path=column.path,
            budget=column.budget,
            aggregation=column.aggregation,
            shape=tuple(int(d) for d in vals.shape),
            measured=measured,
            seed_ids=column.seed_ids,
        )

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["shape"] = list(self.shape)
        d["seed_ids"] = list(self.seed_ids)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ArrayInfo:
        """The entry written by ``as_json``; ``ValueError`` for anything else (a crafted catalog)."""
        known = {f.name for f in fields(cls)}  # keys a newer writer may add are ignored
        kept = {k: v for k, v in d.items() if k in known and k not in ("shape", "seed_ids")}
        info = cls(**kept, shape=tuple(d["shape"]), seed_ids=tuple(d.get("seed_ids", ())))
        texts = (info.path, info.dataset, info.metric, info.unit, info.split, info.direction,
                 info.source, info.description)
        ints = (*info.shape, *info.seed_ids, info.measured)
        if (not all(isinstance(t, str) for t in texts) or not info.path.startswith("/")
                or not all(isinstance(i, int) and not isinstance(i, bool) for i in ints)
                or not (info.budget is None or (isinstance(info.budget, int)
                                                and not isinstance(info.budget, bool)))
                or info.aggregation not in AGGREGATIONS):
            raise ValueError(f"catalog entry {str(d)[:80]} is not one this format writes")
        return info


def _digest(archs: bytes, attrs: dict[str, Any]) -> str:
    """sha256 of everything ``open_store`` reads eagerly: the arch list and the root attributes."""
    digest = hashlib.sha256(archs)
    for key in _DIGESTED:
        digest.update(f"\0{key}={attrs.get(key, '')}".encode())
    return digest.hexdigest()


#: root attributes covered by the stored digest (with the raw bytes of ``/archs``)
_DIGESTED = ("name", "space", "format_version", "n_archs", "official_index", "description",
             "sources", "catalog")


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Delete ``<path>.tmp-<pid>`` files left by writers that no longer run (``kill -9``).

    A temporary file whose process is alive is another build in progress and is kept.
    Returns the files removed.
    """
    path = Path(path)
    removed = []
    for tmp in path.parent.glob(f"{glob.escape(path.name)}.tmp-*"):
        pid_text = tmp.name.rsplit(".tmp-", 1)[1]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2**22  # exists, owned by someone else (an absurd pid is not a process)
    return True


def write_store(
    path: str | Path,
    *,
    name: str,
    space: str,
    archs: Sequence[str],
    columns: Iterable[Column],
    sources: Sequence[dict[str, str]] = (),
    description: str = "",
    official_index: bool = True,
) -> Path:
    """Write a store atomically and return its path.

    Every array carries HDF5's fletcher32 checksum (verified by h5py on every read) and the root
    holds a sha256 of the arch list and root attributes (verified on every open), so a corrupt
    store is reported as one, never read as different numbers or arch strings.

    Args:
        path: destination ``.h5`` file; its folder is created if needed.
        name: benchmark name (``"nb201"``).
        space: search space name (``"nb201"``).
        archs: the architecture strings, one per row.
        columns: the metric arrays; each ``values`` has ``len(archs)`` rows.
        sources: provenance of every raw file (``Source.as_dict()``).
        description: a paragraph for ``nasbench info``.
        official_index: True if row i is the benchmark's official index i.

    Raises:
        ValueError: a column has the wrong number of rows, or two columns share a path.
    """
    import h5py

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    archs = [str(a) for a in archs]
    if len(set(archs)) != len(archs):
        raise ValueError(f"store {name!r}: arch strings are not unique")
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    catalog: list[dict[str, Any]] = []
    try:
        with h5py.File(tmp, "w") as fh:
            width = max((len(a) for a in archs), default=1)
            packed_archs = np.array([a.encode("ascii") for a in archs], dtype=f"S{width}")
            fh.create_dataset("archs", data=packed_archs, fletcher32=bool(len(archs)))
            for col in columns:
                if col.values.shape[:1] != (len(archs),):
                    raise ValueError(
                        f"column {col.path} has {col.values.shape[0] if col.values.ndim else 0} "
                        f"rows; the store has {len(archs)} archs"
                    )
                if col.path in fh:
                    raise ValueError(f"two columns would be written to {col.path}")
                info = ArrayInfo.of(col)
                # Mostly-NaN tables (sparse sources, per-epoch curves) shrink ~100x with
                # shuffle+gzip at level 1, and decompressing 15,625 floats costs well under 1 ms.
                packed = col.values.size >= 4096
                ds = fh.create_dataset(
                    col.path,
                    data=col.values,
                    compression="gzip" if packed else None,
                    compression_opts=1 if packed else None,
                    shuffle=packed,
                    fletcher32=bool(col.values.size),
                )
                for key, value in info.as_json().items():
                    if key not in ("shape", "seed_ids"):
                        ds.attrs[key] = "" if value is None else value
                catalog.append(info.as_json())
            attrs: dict[str, Any] = {
                "name": name,
                "space": space,
                "format_version": FORMAT_VERSION,
                "n_archs": len(archs),
                "official_index": official_index,
                "description": description,
                "sources": json.dumps(list(sources)),
                "catalog": json.dumps(catalog),
            }
            attrs["digest"] = _digest(packed_archs.tobytes(), attrs)
            fh.attrs.update(attrs)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


@dataclass
class StoreHeader:
    """What ``open_store`` reads eagerly: root attributes and the arch list."""

    name: str
    space: str
    archs: list[str]
    catalog: list[ArrayInfo]
    sources: list[dict[str, str]]
    description: str
    official_index: bool
    digest: str = ""


def _rebuild_hint(path: Path) -> str:
    return f"rebuild with `nasbench build {path.stem}`"


def open_store(path: str | Path) -> tuple[Any, StoreHeader]:
    """Open a store read-only, verifying its digest; return ``(h5py.File, header)``.

    Raises:
        StoreError: missing, truncated or corrupt file, or another format version; the message
            names the store and says how to rebuild it.
    """
    import h5py

    path = Path(path)
    if not path.is_file():
        raise StoreError(f"store file {str(path)!r} does not exist")
    try:
        fh = h5py.File(path, "r")
    except Exception as exc:  # h5py reports damage as OSError, RuntimeError, ...
        raise StoreError(
            f"store {path.stem!r} ({str(path)!r}) is truncated or not HDF5 "
            f"({exc.__class__.__name__}); {_rebuild_hint(path)}"
        ) from None
    try:
        attrs = {k: fh.attrs[k] for k in fh.attrs}
        version = int(attrs.get("format_version", -1))
        if version != FORMAT_VERSION:
            raise StoreError(
                f"store {path.stem!r} ({str(path)!r}) has format version {version}; this "
                f"nasbench reads version {FORMAT_VERSION}: {_rebuild_hint(path)}"
            )
        raw = fh["archs"][()]
        if _digest(raw.tobytes(), attrs) != attrs.get("digest"):
            raise StoreError(
                f"store {path.stem!r} ({str(path)!r}) is corrupt: its arch list or metadata "
                f"differ from the digest written with them; {_rebuild_hint(path)}"
            )
        header = StoreHeader(
            name=str(attrs["name"]),
            space=str(attrs["space"]),
            archs=[a.decode("ascii") for a in raw.tolist()],  # 4x faster than np.char.decode
            catalog=[ArrayInfo.from_json(d) for d in json.loads(attrs["catalog"])],
            sources=json.loads(attrs["sources"]),
            description=str(attrs.get("description", "")),
            official_index=bool(attrs.get("official_index", False)),
            digest=str(attrs["digest"]),
        )
    except StoreError:
        fh.close()
        raise
    except Exception as exc:  # a damaged header fails in many h5py ways
        fh.close()
        raise StoreError(
            f"store {path.stem!r} ({str(path)!r}) is incomplete or corrupt "
            f"({' '.join(str(exc).split())[:80]}); {_rebuild_hint(path)}"
        ) from None
    return fh, header


def verify_store(path: str | Path) -> int:
    """Check a whole store: its digest, then every array against its fletcher32 checksum and its
    catalog entry (shape, measured count). Returns the number of arrays checked.

    Raises:
        StoreError: the first problem found, naming the store and how to rebuild it.
    """
    path = Path(path)
    fh, header = open_store(path)
    try:
        for info in header.catalog:
            try:
                values = fh[info.path][()]
            except Exception as exc:  # fletcher32 (OSError) or a damaged header
                raise StoreError(
                    f"store {path.stem!r} ({str(path)!r}) is corrupt: array {info.path} cannot "
                    f"be read ({' '.join(str(exc).split())[:80]}); {_rebuild_hint(path)}"
                ) from None
            measured = int(np.isfinite(values.reshape(len(values), -1)).any(axis=1).sum()) \
                if values.size else 0
            if tuple(values.shape) != tuple(info.shape) or measured != info.measured:
                raise StoreError(
                    f"store {path.stem!r} ({str(path)!r}) is corrupt: array {info.path} has shape "
                    f"{values.shape} and {measured} measured archs, its catalog says "
                    f"{tuple(info.shape)} and {info.measured}; {_rebuild_hint(path)}"
                )
        return len(header.catalog)
    finally:
        fh.close()
