"""The NAS-Bench-101 cell space.

A cell (the official ``ModelSpec``) is a DAG of at most 7 vertices given by an upper-triangular
0/1 adjacency matrix and one op per vertex: vertex 0 is ``input``, the last vertex is ``output``,
every other vertex is one of ``conv3x3-bn-relu``, ``conv1x1-bn-relu``, ``maxpool3x3``.

String format (nasbench's own; the benchmark has no string form). The ops, then the adjacency
matrix row by row, exactly the two fields the official ``.tfrecord`` stores for each module::

    ops:input,conv3x3-bn-relu,maxpool3x3,conv1x1-bn-relu,output|adj:01100,00010,00010,00001,00000

Row ``i`` of ``adj`` lists the edges leaving vertex ``i`` (``1`` in column ``j`` = edge i -> j).

Rules, as in the official API (``api.py`` / ``model_spec.py``):

* **pruning**: vertices not on some input -> output path are removed with their edges (a matrix
  whose output cannot be reached from its input is rejected); ``parse`` prunes, so a string
  with dangling vertices parses to a smaller cell and ``format`` writes the pruned one;
* **validity** (checked after pruning): at most 7 vertices and at most 9 edges, upper-triangular,
  ``input`` first, ``output`` last, the three ops in between;
* **identity**: ``module_hash`` is the official graph hash (``graph_util.hash_module``: md5 of
  (out-degree, in-degree, label) per vertex, refined as many rounds as there are vertices with the
  sorted hashes of in- and out-neighbours, then md5 of the sorted vertex hashes; labels are -1 for
  input, -2 for output, 0/1/2 for the ops in ``OPS`` order). It is what NAS-Bench-101 tables are
  keyed by, and ``canonical_hash`` returns it.
* **canonical form**: the isomorphic relabelling that the official ``generate_graphs.py`` met first
  (smallest vertex count, then smallest edge bitmask, bit ``x + y(y-1)/2`` for edge x -> y, then
  smallest op labelling), i.e. the ``module_adjacency`` / ``module_operations`` the official dataset
  stores. ``to_string`` returns the canonical string, so isomorphic strings find the same row of a
  table; ``format`` keeps the labelling it is given.

The space has 423,624 cells (classes). ``enumerate`` lists them in the order the official generator
meets them; ``from_hash`` maps an official hash back to its cell (it hashes every cell once, about
30 s, then caches the table under ``$NASBENCH_STORES``).

Usage::

    >>> from nasbench.spaces.nb101 import SPACE as nb101
    >>> s = "ops:input,conv3x3-bn-relu,output|adj:011,001,000"
    >>> nb101.canonical_hash(s)        # the official NAS-Bench-101 module hash
    >>> nb101.encode([s], "path").shape
    (1, 364)
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from nasbench.spaces.base import SearchSpace, as_list

INPUT = "input"
OUTPUT = "output"
#: the interior ops in official label order (``config['available_ops']``): label = index
OPS: tuple[str, ...] = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
#: official integer labels (as in ``hash_module`` and the nasbench-vis tables)
LABELS: dict[str, int] = {INPUT: -1, OUTPUT: -2, **{op: i for i, op in enumerate(OPS)}}
MAX_VERTICES = 7
MAX_EDGES = 9
#: number of cells (isomorphism classes) in the space, as published
SIZE = 423_624

_FORMAT_HINT = "'ops:input,<op>,...,output|adj:<row>,<row>,...' with rows of 0/1 digits"


def _bit(x: int, y: int) -> int:
    """Bit index of edge x -> y in the official bitmask (column-major upper triangle)."""
    return x + y * (y - 1) // 2


@dataclass(frozen=True)
class Cell:
    """One pruned, valid NB101 cell: adjacency matrix rows and vertex ops (see module docstring).

    Build one with ``Cell.from_spec`` (prunes and validates) or ``SPACE.parse``; the constructor
    only accepts cells that are already pruned.
    """

    matrix: tuple[tuple[int, ...], ...]
    ops: tuple[str, ...]

    def __post_init__(self) -> None:
        _check(self.matrix, self.ops, pruned=True)

    @classmethod
    def from_spec(cls, matrix: Any, ops: Sequence[str | int]) -> Cell:
        """Prune and validate an official-style spec.

        Args:
            matrix: square 0/1 adjacency matrix (nested lists or numpy array).
            ops: one op per vertex, as names (``"conv3x3-bn-relu"``) or official integer labels
                (-1 input, -2 output, 0/1/2 the ``OPS``); trailing ``-3`` padding (nasbench-vis)
                and the matching zero rows/columns are dropped.

        Raises:
            ValueError: malformed matrix or ops, disconnected output, or out of the space.
        """
        names = []
        for op in ops:
            if isinstance(op, (int, np.integer)) and not isinstance(op, bool):
                if op == -3:
                    continue
                names.append(_label_name(int(op)))
            else:
                names.append(str(op))
        arr = np.asarray(matrix)
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
            raise ValueError(f"NB101 adjacency matrix must be square, got shape {arr.shape}")
        n = len(names)
        if arr.shape[0] > n and not arr[n:].any() and not arr[:, n:].any():
            arr = arr[:n, :n]  # zero padding of a smaller cell
        if arr.shape[0] != n:
            raise ValueError(f"NB101 spec has {arr.shape[0]} matrix rows but {n} ops")
        if not np.isin(arr, (0, 1)).all():
            raise ValueError("NB101 adjacency matrix entries must be 0 or 1")
        rows = tuple(tuple(int(x) for x in row) for row in arr)
        _check(rows, tuple(names), pruned=False)
        return cls(*_prune(rows, tuple(names)))

    @property
    def n_vertices(self) -> int:
        return len(self.ops)

    @property
    def n_edges(self) -> int:
        return sum(map(sum, self.matrix))

    @property
    def labels(self) -> tuple[int, ...]:
        """Official integer labels of the vertices (-1 input, -2 output, 0..2 ops)."""
        return tuple(LABELS[op] for op in self.ops)

    @property
    def bits(self) -> int:
        """The official edge bitmask of this labelling."""
        n = self.n_vertices
        return sum(1 << _bit(x, y) for y in range(1, n) for x in range(y) if self.matrix[x][y])

    def __str__(self) -> str:
        return format_cell(self)


def _label_name(label: int) -> str:
    for name, lab in LABELS.items():
        if lab == label:
            return name
    raise ValueError(f"unknown NB101 op label {label}; use -1 (input), -2 (output), 0, 1, 2 ({', '.join(OPS)})")


def _check(matrix: tuple[tuple[int, ...], ...], ops: tuple[str, ...], *, pruned: bool) -> None:
    n = len(ops)
    if len(matrix) != n or any(len(row) != n for row in matrix):
        raise ValueError(f"NB101 cell: the matrix must be {n} x {n} for {n} ops")
    if n < 2:
        raise ValueError(f"NB101 cell needs at least input and output, got ops {list(ops)}")
    if ops[0] != INPUT:
        raise ValueError(f"NB101 cell: first op must be 'input', got {ops[0]!r}")
    if ops[-1] != OUTPUT:
        raise ValueError(f"NB101 cell: last op must be 'output', got {ops[-1]!r}")
    for op in ops[1:-1]:
        if op not in OPS:
            raise ValueError(f"unknown NB101 op {op!r} for an interior vertex; use one of {', '.join(OPS)}")
    for i, row in enumerate(matrix):
        for j, x in enumerate(row):
            if x not in (0, 1):
                raise ValueError(f"NB101 matrix entry ({i}, {j}) is {x!r}; entries must be 0 or 1")
            if x and j <= i:
                raise ValueError(
                    f"NB101 edge {i} -> {j} does not go forward; the matrix must be strictly "
                    "upper-triangular (edges i -> j with i < j)"
                )
    if not pruned:
        return
    forward, backward = _reachable(matrix)
    dangling = [v for v in range(n) if v not in forward or v not in backward]
    if dangling:
        raise ValueError(
            f"NB101 cell has vertices {dangling} off every input -> output path; build it with "
            "Cell.from_spec (or parse), which prunes them"
        )
    if n > MAX_VERTICES:
        raise ValueError(f"NB101 cell has {n} vertices after pruning; the space allows at most {MAX_VERTICES}")
    edges = sum(map(sum, matrix))
    if edges > MAX_EDGES:
        raise ValueError(f"NB101 cell has {edges} edges after pruning; the space allows at most {MAX_EDGES}")


def _reachable(matrix: tuple[tuple[int, ...], ...]) -> tuple[set[int], set[int]]:
    n = len(matrix)
    forward, stack = {0}, [0]
    while stack:
        v = stack.pop()
        for w in range(v + 1, n):
            if matrix[v][w] and w not in forward:
                forward.add(w)
                stack.append(w)
    backward, stack = {n - 1}, [n - 1]
    while stack:
        v = stack.pop()
        for w in range(v):
            if matrix[w][v] and w not in backward:
                backward.add(w)
                stack.append(w)
    return forward, backward


def _prune(
    matrix: tuple[tuple[int, ...], ...], ops: tuple[str, ...]
) -> tuple[tuple[tuple[int, ...], ...], tuple[str, ...]]:
    forward, backward = _reachable(matrix)
    if len(ops) - 1 not in forward:
        raise ValueError("NB101 cell: the output cannot be reached from the input (no input -> output path)")
    keep = [v for v in range(len(ops)) if v in forward and v in backward]
    return tuple(tuple(matrix[i][j] for j in keep) for i in keep), tuple(ops[i] for i in keep)


def is_module_hash(text: str) -> bool:
    """True if ``text`` looks like an official module hash (32 lowercase hex digits)."""
    return len(text) == 32 and all(c in "0123456789abcdef" for c in text)


def format_cell(cell: Cell) -> str:
    rows = ",".join("".join(str(x) for x in row) for row in cell.matrix)
    return f"ops:{','.join(cell.ops)}|adj:{rows}"


def parse_cell(text: str) -> Cell:
    """Parse an NB101 string (pruning dangling vertices); ``ValueError`` names the wrong part."""
    if not isinstance(text, str):
        raise ValueError(f"an NB101 architecture is a string {_FORMAT_HINT}; got {type(text).__name__}")
    head, sep, tail = text.partition("|")
    if not sep or not head.startswith("ops:") or not tail.startswith("adj:"):
        if is_module_hash(text):
            raise ValueError(
                f"{text!r} is an NB101 module hash, not a cell string; SPACE.from_hash (or "
                "SPACE.to_string) turns it into one"
            )
        raise ValueError(f"NB101 string {text!r} must look like {_FORMAT_HINT}")
    ops = tuple(head[4:].split(","))
    rows = tail[4:].split(",")
    if len(rows) != len(ops):
        raise ValueError(f"NB101 string {text!r}: {len(ops)} ops but {len(rows)} adjacency rows")
    matrix = []
    for i, row in enumerate(rows):
        if len(row) != len(ops) or any(c not in "01" for c in row):
            raise ValueError(
                f"NB101 string {text!r}: adjacency row {i} is {row!r}; expected {len(ops)} digits 0/1"
            )
        matrix.append(tuple(int(c) for c in row))
    _check(tuple(matrix), ops, pruned=False)
    return Cell(*_prune(tuple(matrix), ops))


# -- the official graph hash ----------------------------------------------------------------------
def module_hash(matrix: Sequence[Sequence[int]], labels: Sequence[int]) -> str:
    """The official NAS-Bench-101 hash of a (pruned) matrix and integer labelling.

    Weisfeiler-Lehman style: each vertex starts as md5 of ``str((out_degree, in_degree, label))``;
    for as many rounds as there are vertices it becomes md5 of its in-neighbours' hashes sorted and
    joined, ``|``, its out-neighbours' likewise, ``|``, its own hash; the module hash is md5 of
    ``str`` of the sorted list of vertex hashes. Degrees must be Python ints (a float matrix would
    print ``2.0`` and change every hash).
    """
    n = len(labels)
    ins = [[w for w in range(n) if matrix[w][v]] for v in range(n)]
    outs = [[w for w in range(n) if matrix[v][w]] for v in range(n)]
    md5 = hashlib.md5
    h = [md5(str((len(outs[v]), len(ins[v]), int(labels[v]))).encode()).hexdigest() for v in range(n)]
    for _ in range(n):
        h = [
            md5(
                (
                    "".join(sorted(h[w] for w in ins[v]))
                    + "|"
                    + "".join(sorted(h[w] for w in outs[v]))
                    + "|"
                    + h[v]
                ).encode()
            ).hexdigest()
            for v in range(n)
        ]
    return md5(str(sorted(h)).encode()).hexdigest()


class _InitialHashes(dict):
    def __missing__(self, key: tuple[int, int, int]) -> bytes:
        value = hashlib.md5(str(key).encode()).hexdigest().encode()
        self[key] = value
        return value


def _compiled_hasher(matrix: tuple[tuple[int, ...], ...], initial: _InitialHashes):
    """``module_hash`` specialised to one matrix: a straight-line function of the labels.

    Hashing all 423,624 cells calls md5 about 20 million times; unrolling the rounds for a fixed
    wiring (neighbour lists known, pairs sorted by one comparison) halves the Python overhead.
    """
    n = len(matrix)
    ins = [[w for w in range(n) if matrix[w][v]] for v in range(n)]
    outs = [[w for w in range(n) if matrix[v][w]] for v in range(n)]

    def joined(ws: list[int]) -> str:
        names = [f"h{w}" for w in ws]
        if not names:
            return 'b""'
        if len(names) == 1:
            return names[0]
        if len(names) == 2:
            a, b = names
            return f"({a} + {b} if {a} < {b} else {b} + {a})"
        return f"J(sorted(({', '.join(names)},)))"

    hs = ", ".join(f"h{v}" for v in range(n))
    lines = ["def f(labels):", f"    {', '.join(f'l{v}' for v in range(n))}, = labels"]
    lines += [f"    h{v} = I[({len(outs[v])}, {len(ins[v])}, l{v})]" for v in range(n)]
    step = ", ".join(
        f"H(M({joined(ins[v])} + b'|' + {joined(outs[v])} + b'|' + h{v}).digest())" for v in range(n)
    )
    lines += [f"    {hs}, = {step},"] * n
    lines.append(f"    return M(str(sorted([{', '.join(f'h{v}.decode()' for v in range(n))}])).encode()).hexdigest()")
    import binascii

    scope = {"I": initial, "M": hashlib.md5, "H": binascii.hexlify, "J": b"".join}
    exec("\n".join(lines), scope)
    return scope["f"]


# -- enumeration of the space -----------------------------------------------------------------------
def _perms(n: int) -> np.ndarray:
    """All relabellings that keep input first and output last: (P, n), row = old vertex per slot."""
    inner = list(itertools.permutations(range(1, n - 1)))
    return np.array([(0, *p, n - 1) for p in inner], dtype=np.intp).reshape(len(inner), n)


@dataclass(frozen=True)
class _Tables:
    """Per vertex count: relabellings, bit weights, and label-code weights."""

    perms: np.ndarray
    weights: np.ndarray  # (n, n) int64, 1 << bit for x < y, else 0
    lower: np.ndarray  # (n, n) bool, True on and below the diagonal
    base3: np.ndarray  # (n - 2,) int64, most significant first


_TABLES = {
    n: _Tables(
        perms=_perms(n),
        weights=np.array(
            [[(1 << _bit(x, y)) if x < y else 0 for y in range(n)] for x in range(n)], dtype=np.int64
        ),
        lower=~np.triu(np.ones((n, n), dtype=bool), 1),
        base3=3 ** np.arange(n - 3, -1, -1, dtype=np.int64),
    )
    for n in range(2, MAX_VERTICES + 1)
}


def _decode(n: int, bits: int, code: int) -> Cell:
    matrix = tuple(
        tuple(1 if x < y and (bits >> _bit(x, y)) & 1 else 0 for y in range(n)) for x in range(n)
    )
    digits = []
    for _ in range(n - 2):
        code, d = divmod(code, 3)
        digits.append(OPS[d])
    return Cell(matrix, (INPUT, *reversed(digits), OUTPUT))


def _enumerate_classes() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(n_vertices, bits, label_code)`` of every class representative, in generator order.

    A representative is the smallest (bits, labelling) of its class. Its matrix is the smallest
    bitmask among the matrix's relabellings (so other matrices are skipped whole), and its labelling
    is the smallest among the matrix's automorphisms. No hashing needed: this yields exactly the
    423,624 cells the official generator finds.
    """
    ns, bits_out, codes_out = [], [], []
    for n in range(2, MAX_VERTICES + 1):
        t = _TABLES[n]
        edges = [(x, y) for y in range(1, n) for x in range(y)]
        masks = np.arange(1 << len(edges), dtype=np.int64)
        count = np.zeros(len(masks), dtype=np.int64)
        for k in range(len(edges)):
            count += (masks >> k) & 1
        keep = count <= MAX_EDGES
        for v in range(n - 1):  # every vertex but the output has an out-edge
            keep &= (masks & sum(1 << _bit(v, y) for y in range(v + 1, n))) != 0
        for v in range(1, n):  # every vertex but the input has an in-edge
            keep &= (masks & sum(1 << _bit(x, v) for x in range(v))) != 0
        masks = masks[keep]
        relabelled = np.empty((len(masks), len(t.perms)), dtype=np.int64)
        for p, perm in enumerate(t.perms):
            pos = np.empty(n, dtype=np.intp)
            pos[perm] = np.arange(n)  # new slot of each old vertex
            new = np.zeros(len(masks), dtype=np.int64)
            backwards = np.zeros(len(masks), dtype=bool)
            for x, y in edges:
                present = (masks >> _bit(x, y)) & 1
                if pos[x] < pos[y]:
                    new |= present << _bit(int(pos[x]), int(pos[y]))
                else:
                    backwards |= present.astype(bool)
            relabelled[:, p] = np.where(backwards, np.iinfo(np.int64).max, new)
        canonical = relabelled.min(axis=1) == masks
        labellings = np.array(list(itertools.product(range(3), repeat=n - 2)), dtype=np.int64)
        labellings = labellings.reshape(3 ** (n - 2), n - 2)
        codes = labellings @ t.base3
        for mask, row in zip(masks[canonical], relabelled[canonical]):
            smallest = np.ones(len(codes), dtype=bool)
            for q in np.flatnonzero(row == mask):  # automorphisms of this matrix
                smallest &= codes <= labellings[:, t.perms[q][1:-1] - 1] @ t.base3
            chosen = codes[smallest]
            ns.append(np.full(len(chosen), n, dtype=np.int8))
            bits_out.append(np.full(len(chosen), mask, dtype=np.int32))
            codes_out.append(chosen.astype(np.int16))
    return np.concatenate(ns), np.concatenate(bits_out), np.concatenate(codes_out)


# -- the space ------------------------------------------------------------------------------------
#: node kinds of ``to_graph`` / op one-hots
KINDS: tuple[str, ...] = (INPUT, OUTPUT, *OPS)
#: path-encoding offsets: paths with k interior ops start at _PATH_OFFSET[k]
_PATH_OFFSET = np.cumsum([0] + [3**k for k in range(MAX_VERTICES - 2)])


class NB101Space(SearchSpace):
    """The NAS-Bench-101 cell space (see the module docstring)."""

    name = "nb101"
    size = SIZE
    encodings = ("adjacency", "path")

    def parse(self, text: str) -> Cell:
        return parse_cell(text)

    def format(self, arch: Any) -> str:
        if isinstance(arch, Cell):
            return format_cell(arch)
        if isinstance(arch, str):
            return format_cell(parse_cell(arch))
        raise TypeError(f"expected an NB101 string or Cell, got {type(arch).__name__}")

    def to_string(self, arch: Any) -> str:
        """The canonical string (official labelling) of ``arch``: isomorphic cells give one string.

        Accepts everything ``cell`` does, official module hashes included, so a table keyed by
        canonical strings answers queries by any labelling or by hash.
        """
        if isinstance(arch, str) and is_module_hash(arch):
            return self.from_hash(arch)  # already canonical
        return self.canonical(arch)

    def cell(self, arch: Any) -> Cell:
        """A ``Cell`` from a string, a ``Cell``, an ``(matrix, ops)`` pair or an official hash."""
        if isinstance(arch, Cell):
            return arch
        if isinstance(arch, str):
            if is_module_hash(arch):
                return parse_cell(self.from_hash(arch))
            return parse_cell(arch)
        if isinstance(arch, tuple) and len(arch) == 2:
            return Cell.from_spec(*arch)
        raise TypeError(f"expected an NB101 string, Cell or (matrix, ops), got {type(arch).__name__}")

    # -- identity --------------------------------------------------------------------------------
    def canonical_hash(self, arch: Any) -> str:
        """The official NAS-Bench-101 module hash."""
        cell = self.cell(arch)
        return module_hash(cell.matrix, cell.labels)

    def canonical_cell(self, arch: Any) -> Cell:
        """The official representative of ``arch``'s class (see the module docstring)."""
        cell = self.cell(arch)
        n = cell.n_vertices
        if n <= 3:
            return cell  # no interior vertices to permute
        t = _TABLES[n]
        m = np.array(cell.matrix, dtype=bool)
        relabelled = m[t.perms[:, :, None], t.perms[:, None, :]]
        backwards = (relabelled & t.lower).any(axis=(1, 2))
        bits = (relabelled * t.weights).sum(axis=(1, 2))
        codes = np.array(cell.labels)[t.perms[:, 1:-1]] @ t.base3
        key = np.where(backwards, np.iinfo(np.int64).max, bits * 3 ** (n - 2) + codes)
        best = t.perms[int(np.argmin(key))]
        return Cell(
            tuple(tuple(cell.matrix[i][j] for j in best) for i in best),
            tuple(cell.ops[i] for i in best),
        )

    def canonical(self, arch: Any) -> str:
        return format_cell(self.canonical_cell(arch))

    # -- enumeration -----------------------------------------------------------------------------
    @cached_property
    def _classes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        classes = _enumerate_classes()
        if len(classes[0]) != SIZE:
            raise RuntimeError(f"NB101 enumeration found {len(classes[0])} cells; expected {SIZE}")
        return classes

    def arch_at(self, index: int) -> str:
        """The cell at position ``index`` of ``enumerate`` (official generator order)."""
        if not 0 <= int(index) < SIZE:
            raise IndexError(f"NB101 index {index} out of range; use 0 .. {SIZE - 1}")
        ns, bits, codes = self._classes
        return format_cell(_decode(int(ns[index]), int(bits[index]), int(codes[index])))

    def enumerate(self) -> Iterator[str]:
        """All 423,624 canonical strings, in the order the official generator first meets them."""
        ns, bits, codes = self._classes
        for n, b, c in zip(ns.tolist(), bits.tolist(), codes.tolist()):
            yield format_cell(_decode(n, b, c))

    def hashes(self) -> np.ndarray:
        """The official hash of every cell, aligned with ``enumerate`` (``S32`` array).

        Computed once (about 30 s) and cached as ``nb101-hashes.npy`` in ``$NASBENCH_STORES``.
        """
        return self._hash_table[0]

    @cached_property
    def _hash_table(self) -> tuple[np.ndarray, np.ndarray]:
        from nasbench.config import store_dir

        path = store_dir() / "nb101-hashes.npy"
        table = _load_hashes(path)
        if table is None or not self._spot_check(table):
            table = self._compute_hashes()
            tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}.npy")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(tmp, table)
                os.replace(tmp, path)
            except OSError:  # a read-only store folder: keep the table in memory only
                tmp.unlink(missing_ok=True)
        return table, np.argsort(table)

    def _spot_check(self, table: np.ndarray) -> bool:
        ns, bits, codes = self._classes
        for i in (0, SIZE // 2, SIZE - 1):
            cell = _decode(int(ns[i]), int(bits[i]), int(codes[i]))
            if table[i].decode() != module_hash(cell.matrix, cell.labels):
                return False
        return True

    def _compute_hashes(self) -> np.ndarray:
        ns, bits, codes = self._classes
        out = np.empty(SIZE, dtype="S32")
        initial = _InitialHashes()
        labellings = {
            n: [(-1, *digits, -2) for digits in itertools.product(range(3), repeat=n - 2)]
            for n in range(2, MAX_VERTICES + 1)
        }  # index = label code (first interior vertex most significant)
        starts = np.flatnonzero(np.r_[True, (ns[1:] != ns[:-1]) | (bits[1:] != bits[:-1])])
        for start, stop in zip(starts.tolist(), np.r_[starts[1:], SIZE].tolist()):
            n, mask = int(ns[start]), int(bits[start])
            fn = _compiled_hasher(_decode(n, mask, 0).matrix, initial)
            by_code = labellings[n]
            out[start:stop] = [fn(by_code[c]) for c in codes[start:stop].tolist()]
        return out

    def from_hash(self, module_hash: str) -> str:
        """The canonical string of the cell with this official hash.

        Raises:
            ValueError: no NB101 cell has this hash.
        """
        table, order = self._hash_table
        key = str(module_hash).lower().encode()
        pos = int(np.searchsorted(table, key, sorter=order))
        if pos == SIZE or table[order[pos]] != key:
            raise ValueError(f"no NB101 cell has module hash {module_hash!r} (32 hex digits expected)")
        return self.arch_at(int(order[pos]))

    # -- sampling and neighbours -----------------------------------------------------------------
    def sample(self, n: int, seed: int | None = None) -> list[str]:
        """``n`` cells drawn uniformly from the 423,624 classes (with replacement)."""
        idx = np.random.default_rng(seed).integers(0, SIZE, size=int(n))
        return [self.arch_at(int(i)) for i in idx]

    def neighbours(self, arch: Any) -> list[str]:
        """Canonical strings of the distinct cells one mutation away.

        A mutation flips one edge i -> j (i < j) of the cell or changes one interior op; the result
        is pruned and kept when it is valid (connected, <= 9 edges) and not isomorphic to ``arch``.
        """
        cell = self.canonical_cell(arch)
        n = cell.n_vertices
        own = format_cell(cell)
        found: dict[str, None] = {}
        candidates: list[tuple[tuple[tuple[int, ...], ...], tuple[str, ...]]] = []
        for i in range(n):
            for j in range(i + 1, n):
                rows = [list(r) for r in cell.matrix]
                rows[i][j] ^= 1
                candidates.append((tuple(map(tuple, rows)), cell.ops))
        for v in range(1, n - 1):
            for op in OPS:
                if op != cell.ops[v]:
                    candidates.append((cell.matrix, (*cell.ops[:v], op, *cell.ops[v + 1 :])))
        for matrix, ops in candidates:
            try:
                text = self.canonical(Cell(*_prune(matrix, ops)))
            except ValueError:
                continue
            if text != own:
                found.setdefault(text)
        return list(found)

    # -- encodings -------------------------------------------------------------------------------
    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Encode one arch or many (always from the canonical labelling, so isomorphic cells match).

        Encodings:
            ``adjacency`` (21 + 15): the upper triangle of the 7 x 7 matrix (rows in order; a cell
                with fewer vertices is padded with empty vertices before the output) and a one-hot
                op per interior slot (``OPS`` order; padding slots all zero).
            ``path`` (364): counts of input -> output paths by their sequence of interior ops
                (BANANAS path encoding): 1 + 3 + 9 + 27 + 81 + 243 sequences of 0..5 ops.
        """
        enc = self.check_encoding(encoding)
        items, single = as_list(archs)
        fn = self._adjacency if enc == "adjacency" else self._path
        out = np.stack([fn(self.canonical_cell(a)) for a in items]) if items else np.zeros((0, 0))
        return out[0] if single else out

    @staticmethod
    def _padded(cell: Cell) -> tuple[np.ndarray, list[int]]:
        """7 x 7 matrix with the output moved to slot 6; labels with -3 for padding slots."""
        n = cell.n_vertices
        slots = [*range(n - 1), MAX_VERTICES - 1]
        m = np.zeros((MAX_VERTICES, MAX_VERTICES), dtype=np.float32)
        m[np.ix_(slots, slots)] = np.array(cell.matrix, dtype=np.float32)
        labels = [-3] * MAX_VERTICES
        for v, s in enumerate(slots):
            labels[s] = cell.labels[v]
        return m, labels

    def _adjacency(self, cell: Cell) -> np.ndarray:
        m, labels = self._padded(cell)
        onehot = np.zeros((MAX_VERTICES - 2, len(OPS)), dtype=np.float32)
        for slot, label in enumerate(labels[1:-1]):
            if label >= 0:
                onehot[slot, label] = 1.0
        return np.concatenate([m[np.triu_indices(MAX_VERTICES, 1)], onehot.ravel()])

    def _path(self, cell: Cell) -> np.ndarray:
        x = np.zeros(int(_PATH_OFFSET[-1] + 3 ** (MAX_VERTICES - 2)), dtype=np.float32)
        n, labels = cell.n_vertices, cell.labels
        stack: list[tuple[int, int, int]] = [(0, 0, 0)]  # vertex, ops so far, code
        while stack:
            v, k, code = stack.pop()
            for w in range(v + 1, n):
                if not cell.matrix[v][w]:
                    continue
                if w == n - 1:
                    x[_PATH_OFFSET[k] + code] += 1.0
                else:
                    stack.append((w, k + 1, code * 3 + labels[w]))
        return x

    def to_graph(self, arch: Any) -> tuple[np.ndarray, np.ndarray]:
        """The pruned canonical cell: one-hot node kinds over ``KINDS`` and its directed edges."""
        cell = self.canonical_cell(arch)
        feats = np.zeros((cell.n_vertices, len(KINDS)), dtype=np.float32)
        for v, op in enumerate(cell.ops):
            feats[v, KINDS.index(op)] = 1.0
        src, dst = np.nonzero(np.array(cell.matrix))
        return feats, np.stack([src, dst]).astype(np.int64)

    # -- the official network ------------------------------------------------------------------
    def params(
        self, arch: Any, *, stem_channels: int = 128, stacks: int = 3, cells_per_stack: int = 3,
        classes: int = 10,
    ) -> float:
        """Trainable parameters of the NB101 network built from ``arch``, in millions (as every
        space's ``params`` and the stores' ``params`` metric). Official defaults.

        The network: 3x3 conv-BN-ReLU stem, ``stacks`` stacks of ``cells_per_stack`` cells (channels
        doubling after each downsampling max-pool; ``cell_plan``), global pooling and a dense
        layer. Inside a cell the vertices get the channels of ``channel_plan``; the input reaches
        a vertex through a 1x1 projection. Convolutions have no bias; BN adds 2 parameters per
        channel.
        """
        return self.parameter_count(arch, stem_channels=stem_channels, stacks=stacks,
                                    cells_per_stack=cells_per_stack, classes=classes) / 1e6

    def parameter_count(
        self, arch: Any, *, stem_channels: int = 128, stacks: int = 3, cells_per_stack: int = 3,
        classes: int = 10,
    ) -> int:
        """The exact count behind ``params`` (an int: the official ``trainable_parameters``)."""
        cell = self.cell(arch)
        m, labels, n = cell.matrix, cell.labels, cell.n_vertices
        total = 3 * 3 * 3 * stem_channels + 2 * stem_channels
        c_out = stem_channels
        for c_in, c_out in cell_plan(stem_channels, stacks, cells_per_stack):
            ch = channel_plan(m, c_in, c_out)
            for t in range(1, n - 1):
                if m[0][t]:
                    total += c_in * ch[t] + 2 * ch[t]
                k = (3, 1, 0)[labels[t]]
                if k:
                    total += k * k * ch[t] * ch[t] + 2 * ch[t]
            if m[0][n - 1]:
                total += c_in * c_out + 2 * c_out
        return total + c_out * classes + classes

    #: the official API's name for ``parameter_count`` (kept for callers of that name)
    trainable_parameters = parameter_count


def cell_plan(stem_channels: int = 128, stacks: int = 3, cells_per_stack: int = 3) -> list[tuple[int, int]]:
    """``(in_channels, out_channels)`` of every cell of the NB101 network, in order.

    The first stack keeps the stem's channels; each later stack starts after a 2x2 max-pool and
    doubles them in its first cell.
    """
    plan = []
    c_in = stem_channels
    for stack in range(stacks):
        c_out = c_in if stack == 0 else 2 * c_in
        for _ in range(cells_per_stack):
            plan.append((c_in, c_out))
            c_in = c_out
    return plan


def channel_plan(arch: Any, in_channels: int, out_channels: int) -> list[int]:
    """Channels of every vertex of a cell, input and output included, as the official builder
    (``compute_vertex_channels``) assigns them.

    The output's channels are split as evenly as possible over the interior vertices that feed it
    (the first ones get the remainder), and each other interior vertex gets the largest channel
    count among the interior vertices it feeds.

    Args:
        arch: a cell (string or ``Cell``) or its adjacency matrix (upper triangular, pruned).
        in_channels: channels of the cell's input.
        out_channels: channels of the cell's output.

    Shapes:
        arch as a matrix: ``(v, v)``; returns ``v`` ints.
    """
    if isinstance(arch, (str, Cell)):
        arch = SPACE.cell(arch).matrix
    m = [[int(x) for x in row] for row in np.asarray(arch)]
    n = len(m)
    ch = [0] * n
    ch[0], ch[-1] = in_channels, out_channels
    if n == 2:
        return ch
    fan_in = sum(m[v][n - 1] for v in range(1, n - 1))
    share, extra = divmod(out_channels, fan_in) if fan_in else (0, 0)
    for v in range(1, n - 1):
        if m[v][n - 1]:
            ch[v] = share + (1 if extra else 0)
            extra -= 1 if extra else 0
    for v in range(n - 3, 0, -1):
        if not m[v][n - 1]:
            ch[v] = max([ch[v]] + [ch[w] for w in range(v + 1, n - 1) if m[v][w]])
    return ch


def _load_hashes(path: Path) -> np.ndarray | None:
    try:
        table = np.load(path)
    except (OSError, ValueError):
        return None
    return table if table.shape == (SIZE,) and table.dtype == np.dtype("S32") else None


SPACE = NB101Space()
