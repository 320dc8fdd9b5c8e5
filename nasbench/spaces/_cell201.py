"""The NAS-Bench-201 cell wiring, shared by the spaces that put other ops on the same cell.

NAS-Bench-201 (``nasbench.spaces.nb201``), TransNAS-Bench-101 micro (``transnas_micro``) and
SpikeNAS-Bench (``spikenas``) use one cell: a DAG of 4 nodes whose 6 edges ``j -> i`` (``j < i``)
each carry an op, node ``i`` summing its inputs and node 3 being the output. The edges are listed in
NB201 string order, (0->1), (0->2), (1->2), (0->3), (1->3), (2->3). The spaces differ only in their
op vocabulary (always ``none`` first, ``skip_connect`` second, then the ``k`` other ops) and in how
they write a cell, so everything here takes the vocabulary from the cell class:

* ``Cell201``: base of the spaces' frozen cell dataclasses; a subclass sets ``OPS`` and ``NAME``.
* ``format_ops`` / ``parse_ops``: the NB201 string layout ``|a~0|+|b~0|c~1|+|d~0|e~1|f~2|``.
* ``Cell201Space``: base of the spaces (``format``, ``cell``, sampling, neighbours, canonical
  representatives, the graph form, and ``encode`` over the encodings below).
* Encodings of one cell: ``onehot`` (6 x ops), ``adjacency`` (the pruned op graph, 64 + 6 x ops),
  ``path`` (BANANAS path counts, k + k**2 + k**3) and ``ordinal`` (op id per edge).

The leading underscore keeps this module out of ``nasbench.spaces.available()``: it is no space.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from nasbench.errors import quote, with_article
from nasbench.spaces.base import SearchSpace, as_list

#: (source, target) of the 6 edges in string order
EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
N_NODES = 4
#: the node sequences from the input to the output, for the path encoding
_ROUTES = ((0, 3), (0, 1, 3), (0, 2, 3), (0, 1, 2, 3))


@dataclass(frozen=True)
class Cell201:
    """One cell: the 6 edge ops in string order, each one of the subclass's ``OPS``."""

    ops: tuple[str, ...]

    #: the op vocabulary; index = op id, ``none`` is op 0
    OPS: ClassVar[tuple[str, ...]] = ()
    #: the space as messages name it, e.g. ``"NB201"``
    NAME: ClassVar[str] = ""

    def __post_init__(self) -> None:
        if len(self.ops) != len(EDGES):
            raise ValueError(
                f"{with_article(f'{self.NAME} cell')} has {len(EDGES)} edge ops, got "
                f"{len(self.ops)}: {quote(self.ops)}"
            )
        for op in self.ops:
            if op not in self.OPS:
                raise ValueError(f"unknown {self.NAME} op {op!r}; use one of {', '.join(self.OPS)}")

    def __str__(self) -> str:
        return format_ops(self.ops)

    @property
    def op_ids(self) -> tuple[int, ...]:
        """Op ids (index into ``OPS``) in string order."""
        return tuple(self.OPS.index(op) for op in self.ops)


def format_ops(ops: Sequence[str]) -> str:
    """The NB201-layout string of 6 edge ops in string order."""
    o = ops
    return f"|{o[0]}~0|+|{o[1]}~0|{o[2]}~1|+|{o[3]}~0|{o[4]}~1|{o[5]}~2|"


def parse_ops(text: str, ops: Sequence[str], space: str) -> tuple[str, ...]:
    """The 6 ops of an NB201-layout string over ``ops``; ``ValueError`` names the wrong part.

    ``space`` names the space in messages (``"NB201"``).
    """
    if not isinstance(text, str):
        raise ValueError(
            f"{with_article(space)} architecture is a string like '|op~0|+|op~0|op~1|+|...|', "
            f"got {type(text).__name__}"
        )
    nodes = text.split("+")
    if len(nodes) != 3:
        raise ValueError(
            f"{space} string {text!r} has {len(nodes)} node groups separated by '+'; expected 3"
        )
    out: list[str] = []
    for node, group in enumerate(nodes, start=1):
        if len(group) < 2 or not (group.startswith("|") and group.endswith("|")):
            raise ValueError(
                f"{space} string {text!r}: node {node} group {group!r} must start and end with '|'"
            )
        edges = group[1:-1].split("|")
        if len(edges) != node:
            raise ValueError(
                f"{space} string {text!r}: node {node} has {len(edges)} input edges; "
                f"expected {node}"
            )
        for source, edge in enumerate(edges):
            op, sep, src = edge.partition("~")
            if not sep or src != str(source):
                raise ValueError(
                    f"{space} string {text!r}: edge {edge!r} into node {node} should be "
                    f"'<op>~{source}'"
                )
            if op not in ops:
                raise ValueError(
                    f"{space} string {text!r}: unknown op {op!r}; use one of {', '.join(ops)}"
                )
            out.append(op)
    return tuple(out)


# -- the op graph ------------------------------------------------------------------------------
def _op_arcs(alive: Callable[[int], bool]) -> list[tuple[int, int]]:
    """Arcs of the op graph (NAS-Bench-101 style) between the vertices ``alive`` keeps.

    Vertex 0 is the input, 1..6 the edge ops, 7 the output. An op vertex feeds every op on an edge
    leaving its target node.
    """
    arcs: list[tuple[int, int]] = []
    for a, (src, dst) in enumerate(EDGES, start=1):
        if not alive(a):
            continue
        if src == 0:
            arcs.append((0, a))
        if dst == N_NODES - 1:
            arcs.append((a, 7))
        arcs.extend((a, b) for b, (s2, _) in enumerate(EDGES, start=1) if s2 == dst and alive(b))
    return arcs


def pruned_arcs(cell: Cell201) -> list[tuple[int, int]]:
    """Arcs of the pruned op graph: ``none`` ops dropped, then every vertex that is not on some
    input -> output path; no arcs at all when the output is cut off from the input."""
    arcs = _op_arcs(lambda a: cell.ops[a - 1] != "none")
    fwd, bwd = {0}, {7}
    for a, b in sorted(arcs):  # arcs go from lower to higher vertex, so one pass each way suffices
        if a in fwd:
            fwd.add(b)
    for a, b in sorted(arcs, reverse=True):
        if b in bwd:
            bwd.add(a)
    keep = fwd & bwd
    return [(a, b) for a, b in arcs if a in keep and b in keep] if 7 in keep else []


def graph(cell: Cell201) -> tuple[np.ndarray, np.ndarray]:
    """The unpruned op graph with all 8 vertices; node features one-hot over
    ``("input", "output", *OPS)``, so every cell has the same vertices and ``none`` is a label."""
    kinds = ("input", "output", *cell.OPS)
    feats = np.zeros((8, len(kinds)), dtype=np.float32)
    feats[0, 0] = feats[7, 1] = 1.0
    for pos, op in enumerate(cell.ops):
        feats[pos + 1, kinds.index(op)] = 1.0
    return feats, np.array(_op_arcs(lambda a: True), dtype=np.int64).T


# -- encodings ---------------------------------------------------------------------------------
def onehot(cell: Cell201) -> np.ndarray:
    """One-hot op per edge, edges in string order: ``6 * len(OPS)``."""
    x = np.zeros((len(EDGES), len(cell.OPS)), dtype=np.float32)
    x[np.arange(len(EDGES)), cell.op_ids] = 1.0
    return x.ravel()


def adjacency(cell: Cell201) -> np.ndarray:
    """The pruned op graph (8 x 8, flattened) and a one-hot op per live op vertex."""
    arcs = pruned_arcs(cell)
    adj = np.zeros((8, 8), dtype=np.float32)
    for a, b in arcs:
        adj[a, b] = 1.0
    live = {v for arc in arcs for v in arc}
    ops = np.zeros((len(EDGES), len(cell.OPS)), dtype=np.float32)
    for pos, op_id in enumerate(cell.op_ids):
        if pos + 1 in live:
            ops[pos, op_id] = 1.0
    return np.concatenate([adj.ravel(), ops.ravel()])


def path(cell: Cell201) -> np.ndarray:
    """Counts of input -> output paths per op sequence (BANANAS), ``none`` excluded: with ``k``
    ops besides ``none``, ``k + k**2 + k**3`` sequences of length 1..3."""
    k = len(cell.OPS) - 1
    offset = {1: 0, 2: k, 3: k + k**2}
    x = np.zeros(k + k**2 + k**3, dtype=np.float32)
    ids = cell.op_ids
    for route in _ROUTES:
        seq = [ids[EDGES.index((a, b))] for a, b in zip(route, route[1:])]
        if 0 in seq:
            continue
        code = 0
        for op_id in seq:
            code = code * k + (op_id - 1)
        x[offset[len(seq)] + code] += 1.0
    return x


def ordinal(cell: Cell201) -> np.ndarray:
    """Op id per edge, for tree models: 6."""
    return np.array(cell.op_ids, dtype=np.float32)


ENCODERS: dict[str, Callable[[Cell201], np.ndarray]] = {
    "onehot": onehot, "adjacency": adjacency, "path": path, "ordinal": ordinal,
}


class Cell201Space(SearchSpace):
    """Base of the spaces on the NB201 cell: what depends on the wiring and the vocabulary only.

    A subclass sets ``cell_type`` (its ``Cell201`` subclass) and ``accepts`` (how ``format`` names
    what it takes, in its ``TypeError``), and implements ``parse``, ``arch_at`` and ``enumerate``.
    """

    cell_type: type[Cell201] = Cell201
    #: e.g. ``"an NB201 string or Cell"``
    accepts: str = ""

    def format(self, arch: Any) -> str:
        if isinstance(arch, self.cell_type):
            return str(arch)
        if isinstance(arch, str):
            return str(self.parse(arch))
        raise TypeError(f"expected {self.accepts}, got {type(arch).__name__}")

    def cell(self, arch: Any) -> Any:
        """A cell from a string, a cell or an index (see ``arch_at``)."""
        if isinstance(arch, self.cell_type):
            return arch
        if isinstance(arch, (int, np.integer)):
            return self.parse(self.arch_at(int(arch)))
        return self.parse(arch)

    # -- identity --------------------------------------------------------------------------------
    @cached_property
    def _position(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.enumerate())}

    @cached_property
    def _representative(self) -> np.ndarray:
        """For each position of ``enumerate``, the position of its class's first member.

        Hashing every cell takes a few hundred ms, so the table is kept in the derived-table
        cache (``nasbench.cache``), keyed by the space and its enumeration order.
        """
        from nasbench.cache import cached

        order = list(self.enumerate())
        key = f"{self.name}:{type(self).canonical_hash.__qualname__}:" + hashlib.sha256(
            "\n".join(order).encode()).hexdigest()

        def compute() -> np.ndarray:
            first: dict[str, int] = {}
            return np.array([first.setdefault(self.canonical_hash(s), i)
                             for i, s in enumerate(order)], dtype=np.int32)

        def check(rep: np.ndarray) -> bool:
            """A few archs: their representative comes no later, shares their hash and is its
            own representative (a table from another ``canonical_hash`` fails this)."""
            if rep.shape != (len(order),):
                return False
            for i in np.linspace(0, len(order) - 1, 16).astype(int):
                r = int(rep[i])
                if not (0 <= r <= i and rep[r] == r
                        and self.canonical_hash(order[r]) == self.canonical_hash(order[i])):
                    return False
            return True

        return cached(f"{self.name}-canonical", key, compute, check)

    def canonical(self, arch: Any) -> str:
        """The member of ``arch``'s class (equal ``canonical_hash``) that ``enumerate`` lists
        first: the smallest official index where the space has one."""
        text = arch if isinstance(arch, str) and arch in self._position else self.to_string(arch)
        order = self._enumerated
        return order[int(self._representative[self._position[text]])]

    @cached_property
    def _enumerated(self) -> tuple[str, ...]:
        return tuple(self.enumerate())

    def cell_edges(self, arch: Any) -> tuple[tuple[int, int, str], ...]:
        """The wiring a network builder reads: ``(to_node, from_node, op)`` per edge, in string
        order (node 0 is the cell input, node 3 its output; node ``i`` sums its incoming edges).

        For ``|nor_conv_3x3~0|+|none~0|skip_connect~1|+|...|`` the first three are
        ``(1, 0, 'nor_conv_3x3'), (2, 0, 'none'), (2, 1, 'skip_connect')``.
        """
        ops = self.cell(arch).ops
        return tuple((dst, src, op) for (src, dst), op in zip(EDGES, ops))

    def is_connected(self, arch: Any) -> bool:
        """False when no path of non-``none`` ops joins the cell's input to its output."""
        return bool(pruned_arcs(self.cell(arch)))

    # -- sampling and neighbours -----------------------------------------------------------------
    def sample(self, n: int, seed: int | None = None) -> list[str]:
        ops = self.cell_type.OPS
        rng = np.random.default_rng(seed)
        ids = rng.integers(0, len(ops), size=(int(n), len(EDGES)))
        return [str(self.cell_type(tuple(ops[i] for i in row))) for row in ids]

    def neighbours(self, arch: Any) -> list[str]:
        """The ``6 * (len(OPS) - 1)`` cells that differ from ``arch`` in exactly one edge op."""
        ops = self.cell(arch).ops
        return [
            str(self.cell_type(ops[:pos] + (op,) + ops[pos + 1 :]))
            for pos, current in enumerate(ops)
            for op in self.cell_type.OPS
            if op != current
        ]

    # -- encodings -------------------------------------------------------------------------------
    def _encode(
        self, archs: Sequence[Any] | Any, encoding: str | None, empty_dtype: Any = np.float32
    ) -> np.ndarray:
        """``encode`` over ``ENCODERS`` (the subclass's ``encode`` documents its sizes); no archs
        give a ``(0, 0)`` array of ``empty_dtype``."""
        fn = ENCODERS[self.check_encoding(encoding)]
        items, single = as_list(archs)
        if not items:
            return np.zeros((0, 0), empty_dtype)
        out = np.stack([fn(self.cell(a)) for a in items])
        return out[0] if single else out

    def to_graph(self, arch: Any) -> tuple[np.ndarray, np.ndarray]:
        """Op graph with all 8 vertices (input, 6 edge ops, output), ``none`` kept as a label.

        Node features are one-hot over ``("input", "output", *OPS)``; edges follow the cell's
        wiring (an op feeds every op leaving its target node), unpruned, so every cell has the same
        8 vertices and GNNs see ``none`` explicitly.
        """
        return graph(self.cell(arch))
