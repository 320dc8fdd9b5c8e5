"""Reader for the official NAS-Bench-101 files, ``nasbench_full.tfrecord`` / ``nasbench_only108.tfrecord``.

No TensorFlow and no protobuf package: the record framing and the metrics message are decoded here
with numpy and the standard library.

The format
----------
A TFRecord file is a sequence of records, each framed as::

    uint64 length (little-endian) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)

where ``masked_crc32c(x) = ((c >> 15) | (c << 17)) + 0xa282ead8 (mod 2**32)`` with ``c`` the
CRC-32C (Castagnoli) of ``x``. Both checksums are verified; a wrong one or a truncated record raises
``ValueError`` naming the record and its byte offset.

Each NAS-Bench-101 record is one training run: UTF-8 JSON of a 5-element list::

    [module_hash, epochs, raw_adjacency, raw_operations, raw_metrics]

* ``module_hash``: the official graph hash (``nasbench.spaces.nb101.module_hash``);
* ``epochs``: the budget of the run (4, 12, 36 or 108; only 108 in ``nasbench_only108``);
* ``raw_adjacency``: the pruned n x n matrix, row-major, as a string of ``0``/``1``;
* ``raw_operations``: the n op names joined by commas;
* ``raw_metrics``: base64 of a serialized ``nasbench.ModelMetrics`` protobuf (proto2)::

      message ModelMetrics {
        repeated EvaluationData evaluation_data = 1;   // at step 0, halfway, end of training
        optional int32 trainable_parameters = 2;
        optional double total_time = 3;
      }
      message EvaluationData {
        optional double current_epoch = 1;
        optional double training_time = 2;              // seconds, evaluation time excluded
        optional double train_accuracy = 3;             // fractions in [0, 1]
        optional double validation_accuracy = 4;
        optional double test_accuracy = 5;
        optional string checkpoint_path = 6;
      }

Every (hash, epochs) pair has 3 runs (repeats) in the official files; ``read_tfrecord`` numbers them
in file order, which is the repeat index of the official API's ``computed_stats[epochs][i]``.

What becomes a store column (``convert_tfrecord``)
--------------------------------------------------
Rows: one per module, the canonical NB101 string of its graph (the official labelling), in file
order. Dataset ``cifar10``; for every budget E in the file:
``train_accuracy``, ``valid_accuracy``, ``test_accuracy`` (%, the final evaluation of the
E-epoch run) and ``train_time`` (s), each as ``seeds`` (n, repeats) and ``mean``; and ``params``
(M, no budget). The halfway evaluations are not stored (they belong to the E-epoch learning-rate
schedule, not to an E/2-epoch run).
"""

from __future__ import annotations

import base64
import json
import math
import struct
import warnings
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import numpy as np

# -- CRC-32C --------------------------------------------------------------------------------------
_POLY = 0x82F63B78  # Castagnoli, bit-reflected


def _table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(_POLY), table >> 1).astype(np.uint32)
    return table


_CRC_TABLE = _table()
_CRC_LIST = _CRC_TABLE.tolist()
_MASK_DELTA = 0xA282EAD8


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of ``data``, as TFRecord uses it (before masking)."""
    crc = 0xFFFFFFFF
    table = _CRC_LIST
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc32c_many(buffers: list[bytes]) -> np.ndarray:
    """CRC-32C of many buffers at once (uint32 array), vectorised across buffers.

    One table step per byte position, applied to every buffer that is that long; buffers are
    sorted by length so the ones still running are a prefix. Thousands of short records cost
    about as much as one pass over the longest.
    """
    if not buffers:
        return np.zeros(0, dtype=np.uint32)
    lengths = np.fromiter((len(b) for b in buffers), dtype=np.int64, count=len(buffers))
    order = np.argsort(-lengths, kind="stable")
    width = int(lengths.max())
    data = np.zeros((len(buffers), width), dtype=np.uint32)
    for row, i in enumerate(order.tolist()):
        data[row, : lengths[i]] = np.frombuffer(buffers[i], dtype=np.uint8)
    running = np.searchsorted(-lengths[order], -np.arange(width), side="left")  # len > j
    crc = np.full(len(buffers), 0xFFFFFFFF, dtype=np.uint32)
    table = _CRC_TABLE
    for j in range(width):
        k = running[j]
        head = crc[:k]
        crc[:k] = table[(head ^ data[:k, j]) & 0xFF] ^ (head >> 8)
    out = np.empty_like(crc)
    out[order] = crc ^ np.uint32(0xFFFFFFFF)
    return out


@overload
def mask_crc(crc: np.ndarray) -> np.ndarray: ...
@overload
def mask_crc(crc: int) -> int: ...
def mask_crc(crc: np.ndarray | int) -> np.ndarray | int:
    """TFRecord's masking of a CRC-32C: rotate right by 15 bits and add a constant."""
    if isinstance(crc, np.ndarray):
        c = crc.astype(np.uint64)
        return (((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + _MASK_DELTA) & 0xFFFFFFFF).astype(np.uint32)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + _MASK_DELTA) & 0xFFFFFFFF


# -- TFRecord framing -----------------------------------------------------------------------------
def iter_tfrecords(path: str | Path, *, verify: bool = True, batch: int = 4096) -> Iterator[bytes]:
    """The data of every record in a TFRecord file, in order.

    Args:
        path: the ``.tfrecord`` file (uncompressed).
        verify: check both CRCs of every record (checked in batches of ``batch`` records).

    Raises:
        ValueError: a truncated record or a CRC mismatch (record number and byte offset named).
    """
    path = Path(path)
    pending: list[tuple[int, int, bytes, bytes, int, int]] = []
    size = path.stat().st_size
    with open(path, "rb") as fh:
        index = 0
        while True:
            offset = fh.tell()
            header = fh.read(12)
            if not header:
                break
            if len(header) < 12:
                raise ValueError(f"{path}: record {index} at byte {offset} is truncated (header)")
            (length,) = struct.unpack("<Q", header[:8])
            (len_crc,) = struct.unpack("<I", header[8:])
            # the length is checked before it sizes a read: a corrupt or foreign file must fail
            # here, not ask for 2**63 bytes
            if verify and mask_crc(crc32c(header[:8])) != len_crc:
                raise ValueError(
                    f"{path}: record {index} at byte {offset}: length CRC mismatch; not a "
                    "TFRecord file, or a corrupt one"
                )
            if length + 4 > size - offset - 12:
                raise ValueError(
                    f"{path}: record {index} at byte {offset} is truncated: it declares {length:,} "
                    f"bytes but the file ends after {max(size - offset - 16, 0):,}"
                )
            body = fh.read(length + 4)
            if len(body) < length + 4:
                raise ValueError(
                    f"{path}: record {index} at byte {offset} is truncated: it declares {length} "
                    f"bytes but the file ends after {max(len(body) - 4, 0)}"
                )
            data = body[:length]
            if verify:
                (data_crc,) = struct.unpack("<I", body[length:])
                pending.append((index, offset, header[:8], data, len_crc, data_crc))
                if len(pending) >= batch:
                    yield from _verified(path, pending)
                    pending = []
            else:
                yield data
            index += 1
    if pending:
        yield from _verified(path, pending)


def _verified(path: Path, pending: list[tuple[int, int, bytes, bytes, int, int]]) -> Iterator[bytes]:
    len_crc = mask_crc(crc32c_many([p[2] for p in pending]))
    data_crc = mask_crc(crc32c_many([p[3] for p in pending]))
    expect_len = np.array([p[4] for p in pending], dtype=np.uint32)
    expect_data = np.array([p[5] for p in pending], dtype=np.uint32)
    for k, (index, offset, _, data, _, _) in enumerate(pending):
        if len_crc[k] != expect_len[k]:
            raise ValueError(f"{path}: record {index} at byte {offset}: length CRC mismatch "
                             f"(stored {expect_len[k]:#010x}, computed {len_crc[k]:#010x}); file corrupt")
        if data_crc[k] != expect_data[k]:
            raise ValueError(f"{path}: record {index} at byte {offset}: data CRC mismatch "
                             f"(stored {expect_data[k]:#010x}, computed {data_crc[k]:#010x}); file corrupt")
        yield data


def frame_record(data: bytes) -> bytes:
    """One record in TFRecord framing (the inverse of ``iter_tfrecords``, for writing files)."""
    length = struct.pack("<Q", len(data))
    return (
        length
        + struct.pack("<I", mask_crc(crc32c(length)))
        + data
        + struct.pack("<I", mask_crc(crc32c(data)))
    )


# -- protobuf wire format -------------------------------------------------------------------------
def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("protobuf message ends inside a varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("protobuf varint longer than 10 bytes")


def parse_fields(buf: bytes) -> list[tuple[int, int, int | float | bytes]]:
    """Decode one protobuf message into ``(field_number, wire_type, value)`` triples, in order.

    Varints come back as unsigned ints, fixed64 as a little-endian double, fixed32 as a float,
    length-delimited fields as bytes (a nested message is parsed again by the caller).

    Raises:
        ValueError: a truncated message or a wire type this reader does not know (groups).
    """
    out: list[tuple[int, int, int | float | bytes]] = []
    pos = 0
    value: int | float | bytes
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            if pos + 8 > len(buf):
                raise ValueError(f"protobuf field {number}: message ends inside a fixed64")
            (value,) = struct.unpack_from("<d", buf, pos)
            pos += 8
        elif wire == 2:
            size, pos = _varint(buf, pos)
            if pos + size > len(buf):
                raise ValueError(f"protobuf field {number}: length {size} runs past the message end")
            value = bytes(buf[pos : pos + size])
            pos += size
        elif wire == 5:
            if pos + 4 > len(buf):
                raise ValueError(f"protobuf field {number}: message ends inside a fixed32")
            (value,) = struct.unpack_from("<f", buf, pos)
            pos += 4
        else:
            raise ValueError(f"protobuf field {number} has wire type {wire}; expected 0, 1, 2 or 5")
        out.append((number, wire, value))
    return out


def _int32(value: int) -> int:
    value &= 0xFFFFFFFFFFFFFFFF  # negative int32s are sign-extended 10-byte varints
    return value - (1 << 64) if value >= 1 << 63 else value


@dataclass(frozen=True)
class EvaluationData:
    """One evaluation of a run (``nasbench.EvaluationData``); NaN / "" for absent fields."""

    current_epoch: float = math.nan
    training_time: float = math.nan
    train_accuracy: float = math.nan
    validation_accuracy: float = math.nan
    test_accuracy: float = math.nan
    checkpoint_path: str = ""


_EVAL_FIELDS = {1: "current_epoch", 2: "training_time", 3: "train_accuracy",
                4: "validation_accuracy", 5: "test_accuracy"}


@dataclass(frozen=True)
class ModelMetrics:
    """The metrics of one run (``nasbench.ModelMetrics``)."""

    evaluation_data: tuple[EvaluationData, ...] = ()
    trainable_parameters: int | None = None
    total_time: float = math.nan

    @property
    def final(self) -> EvaluationData:
        """The evaluation at the end of training (the official API's ``evaluation_data[2]``)."""
        return self.evaluation_data[-1] if self.evaluation_data else EvaluationData()


def parse_evaluation(buf: bytes) -> EvaluationData:
    values: dict[str, float | str] = {}
    for number, wire, value in parse_fields(buf):
        if number in _EVAL_FIELDS and wire == 1:
            values[_EVAL_FIELDS[number]] = float(value)
        elif number == 6 and wire == 2:
            values["checkpoint_path"] = bytes(value).decode("utf-8")  # type: ignore[arg-type]
    return EvaluationData(**values)  # type: ignore[arg-type]


def parse_model_metrics(buf: bytes) -> ModelMetrics:
    """Decode a serialized ``ModelMetrics`` message (unknown fields are skipped)."""
    evals: list[EvaluationData] = []
    params: int | None = None
    total = math.nan
    for number, wire, value in parse_fields(buf):
        if number == 1 and wire == 2:
            evals.append(parse_evaluation(value))  # type: ignore[arg-type]
        elif number == 2 and wire == 0:
            params = _int32(int(value))
        elif number == 3 and wire == 1:
            total = float(value)
    return ModelMetrics(tuple(evals), params, total)


# -- NAS-Bench-101 records ------------------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    """One training run of one module, as stored in the official file."""

    module_hash: str
    epochs: int
    adjacency: np.ndarray = field(repr=False)
    ops: tuple[str, ...]
    metrics: ModelMetrics
    repeat: int = 0

    @property
    def arch(self) -> str:
        """The canonical NB101 string of the module's graph."""
        from nasbench.spaces.nb101 import SPACE

        return SPACE.canonical((self.adjacency, self.ops))


def parse_record(data: bytes, *, where: str = "record") -> Record:
    """Decode one record's data (the JSON list; see the module docstring)."""
    try:
        module_hash, epochs, raw_adjacency, raw_operations, raw_metrics = json.loads(data)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{where}: not a NAS-Bench-101 record (expected a JSON list [hash, epochs, adjacency, "
            f"operations, metrics]): {exc}"
        ) from None
    dim = math.isqrt(len(raw_adjacency))
    if dim * dim != len(raw_adjacency) or set(raw_adjacency) - {"0", "1"}:
        raise ValueError(f"{where}: adjacency {raw_adjacency!r} is not a square 0/1 matrix string")
    adjacency = (np.frombuffer(raw_adjacency.encode(), dtype=np.uint8) - ord("0")).astype(np.int8)
    ops = tuple(raw_operations.split(","))
    if len(ops) != dim:
        raise ValueError(f"{where}: {len(ops)} operations for a {dim} x {dim} adjacency matrix")
    try:
        metrics = parse_model_metrics(base64.b64decode(raw_metrics, validate=True))
    except ValueError as exc:
        raise ValueError(f"{where}: metrics of module {module_hash}: {exc}") from None
    return Record(str(module_hash), int(epochs), adjacency.reshape(dim, dim), ops, metrics)


def read_tfrecord(path: str | Path, *, verify: bool = True) -> Iterator[Record]:
    """Every run in an official NB101 file, in file order, with its repeat index filled in.

    Raises:
        ValueError: framing, CRC, JSON or protobuf errors (record number named).
    """
    seen: dict[tuple[str, int], int] = {}
    for index, data in enumerate(iter_tfrecords(path, verify=verify)):
        rec = parse_record(data, where=f"{path}: record {index}")
        key = (rec.module_hash, rec.epochs)
        repeat = seen.get(key, 0)
        seen[key] = repeat + 1
        yield Record(rec.module_hash, rec.epochs, rec.adjacency, rec.ops, rec.metrics, repeat)


# -- conversion to a store ------------------------------------------------------------------------
#: (store metric, EvaluationData attribute, unit, split, direction, scale)
METRICS = (
    ("train_accuracy", "train_accuracy", "%", "train", "max", 100.0),
    ("valid_accuracy", "validation_accuracy", "%", "valid", "max", 100.0),
    ("test_accuracy", "test_accuracy", "%", "test", "max", 100.0),
    ("train_time", "training_time", "s", "train", "min", 1.0),
)


def tfrecord_columns(records: Iterable[Record], *, check_hashes: bool = False, source: str = "nb101-tfrecord"):
    """``(archs, hashes, columns)`` from NB101 records (see the module docstring for the columns).

    Args:
        check_hashes: recompute every module's official hash from its graph and refuse a record
            whose stored hash differs (about 0.2 ms per module).
    """
    from nasbench.spaces.nb101 import SPACE, module_hash
    from nasbench.store import Column

    rows: dict[str, int] = {}
    archs: list[str] = []
    params: list[float] = []
    # per budget: row, repeat and the METRICS values of every run, kept compact (array module):
    # the full file has 5 million runs
    runs: dict[int, tuple[array, array, array]] = {}
    for rec in records:
        row = rows.get(rec.module_hash)
        if row is None:
            cell = SPACE.cell((rec.adjacency, rec.ops))
            if check_hashes and module_hash(cell.matrix, cell.labels) != rec.module_hash:
                raise ValueError(
                    f"module {rec.module_hash}: its graph hashes to "
                    f"{module_hash(cell.matrix, cell.labels)}; the record is inconsistent"
                )
            row = rows[rec.module_hash] = len(archs)
            archs.append(SPACE.canonical(cell))
            p = rec.metrics.trainable_parameters
            params.append(np.nan if p is None else p / 1e6)
        at = runs.get(rec.epochs)
        if at is None:
            at = runs[rec.epochs] = (array("q"), array("q"), array("d"))
        final = rec.metrics.final
        at[0].append(row)
        at[1].append(rec.repeat)
        at[2].extend(getattr(final, attr) for _, attr, *_ in METRICS)
    n = len(archs)
    columns = [
        Column("cifar10", "params", np.array(params), unit="M", source=source,
               description="trainable parameters of the NB101 network (millions)", direction="min")
    ]
    for epochs in sorted(runs):
        row_of, repeat_of, flat = (np.frombuffer(a, dtype=a.typecode) for a in runs[epochs])
        table = flat.reshape(len(row_of), len(METRICS))
        for k, (metric, attr, unit, split, direction, scale) in enumerate(METRICS):
            per_seed = np.full((n, int(repeat_of.max()) + 1), np.nan)
            per_seed[row_of, repeat_of] = table[:, k] * scale
            what = (f"{metric.replace('_', ' ')} at the end of the {epochs}-epoch run "
                    f"(EvaluationData.{attr}{' x 100' if scale != 1 else ''})")
            common: dict[str, Any] = dict(dataset="cifar10", metric=metric, unit=unit, split=split, budget=epochs,
                          source=source, direction=direction)
            columns.append(Column(values=per_seed, aggregation="seeds",
                                  description=f"{what}, one column per repeat in file order", **common))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows stay NaN
                mean = np.nanmean(per_seed, axis=1)
            columns.append(Column(values=mean, aggregation="mean",
                                  description=f"{what}, mean over the repeats", **common))
    return archs, list(rows), columns


def convert_tfrecord(
    path: str | Path,
    out: str | Path,
    *,
    name: str = "nb101",
    check_hashes: bool = False,
    progress: bool = True,
) -> Path:
    """Convert an official NB101 ``.tfrecord`` into a store at ``out`` (atomically).

    The store is named ``name`` (default ``nb101``, so it can stand in for the partial table:
    copy it to ``$NASBENCH_STORES/nb101.h5``), space ``nb101``, rows in file order, keyed by the
    canonical cell string (``bench.query`` also accepts any labelling or the official hash).
    Its provenance names the file and its sha256. Reading costs about 0.1 ms per run: some
    10 minutes for ``nasbench_full.tfrecord`` (5 million runs), 2-3 for ``nasbench_only108``.
    """
    from tqdm.auto import tqdm

    from nasbench.sources import sha256_of
    from nasbench.store import write_store

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"NB101 tfrecord {str(path)!r} does not exist")
    records = tqdm(read_tfrecord(path), desc=f"read {path.name}", unit=" runs", disable=not progress)
    archs, _, columns = tfrecord_columns(records, check_hashes=check_hashes)
    if not archs:
        raise ValueError(f"{path}: no records")
    budgets = sorted({c.budget for c in columns if c.budget is not None})
    provenance = [{
        "path": str(path), "sha256": sha256_of(path), "repo": "https://github.com/google-research/nasbench",
        "commit": "", "repo_path": "", "license": "Apache-2.0", "part": "nb101-tfrecord",
        "note": "official NAS-Bench-101 tfrecord",
    }]
    return write_store(
        out,
        name=name,
        space="nb101",
        archs=archs,
        columns=columns,
        sources=provenance,
        description=(
            f"NAS-Bench-101 converted from {path.name}: {len(archs):,} cells trained on CIFAR-10 "
            f"at budgets {', '.join(map(str, budgets))} epochs, every repeat kept (seed=k) and "
            "averaged (the default). Accuracies in %, train_time in s, params in M."
        ),
        official_index=False,
    )


#: the name the CLI calls, as for the other readers
convert = convert_tfrecord
