"""The NAS-Bench-201 / NATS-Bench topology search space (NATS-tss).

A cell is a DAG of 4 nodes; each of the 6 edges ``j -> i`` (``j < i``) carries one of 5 operations.
The benchmark's string lists, for nodes 1, 2, 3, the op on each incoming edge with its source node::

    |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
     node 1 <- 0      node 2 <- 0, 1                 node 3 <- 0, 1, 2

so ``Cell.ops`` holds the 6 ops in that order: edges (0->1), (0->2), (1->2), (0->3), (1->3), (2->3).

The space has 5**6 = 15,625 cells. Many compute the same function: ``skip_connect`` is the
identity and a ``none`` edge contributes nothing (see ``expression``). ``canonical`` maps each cell
to the member of its isomorphism class with the smallest official index; there are 6,466 classes,
the same partition as the NATS-Bench isomorphism map. The rule is that map's (zero terms are kept
in sums, so it is finer than full algebraic simplification, which would give 4,930 classes).

Spaces sharing this cell: TransNAS-Bench-101 micro (``nasbench.spaces.transnas_micro``, without
``avg_pool_3x3``) and SpikeNAS-Bench (``nasbench.spaces.spikenas``, same wiring, spiking ops);
convert with their ``from_nb201`` / ``to_nb201``. What depends only on the wiring (cell checks,
the string layout, sampling, neighbours, encodings, graph form) is shared with them through
``nasbench.spaces._cell201``.

The official index order is the NATS-Bench meta list (``NATS-tss-v1_0-3ffb9-simple/meta``); it is
not derivable from the strings, so ``index`` and ``arch_at`` read it from the data root on first use
(sha256-pinned; about 20 ms).

Usage::

    >>> from nasbench.spaces.nb201 import SPACE as nb201
    >>> cell = nb201.parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|avg_pool_3x3~2|")
    >>> cell.ops[0], len(nb201.neighbours(cell))
    ('nor_conv_3x3', 24)
"""

from __future__ import annotations

import bz2
import hashlib
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from nasbench.sources import Source
from nasbench.spaces import _cell201
from nasbench.spaces._cell201 import Cell201, Cell201Space

#: the 5 operations, in the official NB201 order (index = op id used by MeCo, Eagle, NATS)
OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
#: (source, target) of the 6 edges in string order
EDGES: tuple[tuple[int, int], ...] = _cell201.EDGES
N_NODES = _cell201.N_NODES
#: NASLib / NAS-Bench-Suite-Zero tuple encoding: op ids and edge order differ from the string's
NASLIB_OPS: tuple[str, ...] = (
    "skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3",
)
NASLIB_EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
_NASLIB_POS = tuple(EDGES.index(e) for e in NASLIB_EDGES)

OFFICIAL_ORDER_SOURCE = Source(
    path="nb201/nats-bench-official/NATS-tss-v1_0-3ffb9-simple/meta.pickle.pbz2",
    sha256="7ecc7932fabec6b80551e07b845346de99d83c673f67a1891d619576b3fa053c",
    repo="https://github.com/D-X-Y/NATS-Bench",
    commit="1d4a304ad1906aa5866563438fcbf0d624b7eda2",
    repo_path="fake_torch_dir/NATS-tss-v1_0-3ffb9-simple/meta.pickle.pbz2",
    license="MIT",
    note="official NATS-tss index -> arch string list (meta_archs)",
)


@dataclass(frozen=True)
class Cell(Cell201):
    """One NB201 cell: the 6 edge ops in string order (see the module docstring)."""

    OPS = OPS
    NAME = "NB201"


def format_cell(cell: Cell) -> str:
    return _cell201.format_ops(cell.ops)


def parse_cell(text: str) -> Cell:
    """Parse an NB201 string; a malformed one raises ``ValueError`` naming the wrong part."""
    return Cell(_cell201.parse_ops(text, OPS, "NB201"))


def expression(cell: Cell) -> str:
    """The function a cell computes, as a formal expression over its input ``0``.

    ``skip_connect`` is the identity, any other op ``o`` applied to ``x`` is written ``(x)@o``, a
    node is the sorted ``+``-join of its inputs, and a ``none`` edge (or an edge leaving a node that
    is itself ``#``) contributes the zero term ``#``. Two cells are isomorphic exactly when their
    output expressions are equal; this reproduces the 6,466 classes of the NATS isomorphism map.
    """
    node_expr = ["0"]
    start = 0
    for node in range(1, N_NODES):
        terms = []
        for source, op in enumerate(cell.ops[start : start + node]):
            x = node_expr[source]
            if op == "none" or x == "#":
                terms.append("#")
            elif op == "skip_connect":
                terms.append(x)
            else:
                terms.append(f"({x})@{op}")
        node_expr.append("+".join(sorted(terms)))
        start += node
    return node_expr[-1]


#: the macro skeleton's channel count per stage (5 cells each)
_STAGE_CHANNELS = (16, 32, 64)
#: parameters outside the cells and classifier: stem conv+BN, two ResNet reduction blocks, last BN
_FIXED_PARAMS = (3 * 16 * 9 + 2 * 16) + (16 * 32 * 9 + 64 + 32 * 32 * 9 + 64 + 16 * 32) + (
    32 * 64 * 9 + 128 + 64 * 64 * 9 + 128 + 32 * 64
) + 2 * 64
#: multiply-adds outside the cells at 32x32 input, without the classifier
_FIXED_MACS_32 = (
    32 * 32 * 3 * 16 * 9
    + 16 * 16 * (16 * 32 * 9 + 32 * 32 * 9 + 16 * 32)
    + 8 * 8 * (32 * 64 * 9 + 64 * 64 * 9 + 32 * 64)
)
#: multiply-adds of one 1x1-conv edge over the 15 cells at 32x32 input (3x3: nine times this)
_CELL_CONV1x1_MACS = 5 * (32 * 32 * 16 * 16 + 16 * 16 * 32 * 32 + 8 * 8 * 64 * 64)


def _read_official_order() -> np.ndarray:
    from nasbench.sources import read_pinned

    meta = pickle.loads(bz2.decompress(read_pinned(OFFICIAL_ORDER_SOURCE.verified_path())))
    return np.array([a.encode("ascii") for a in meta["meta_archs"]])


class NB201Space(Cell201Space):
    """The NAS-Bench-201 cell space (see the module docstring)."""

    name = "nb201"
    has_official_index = True
    size = len(OPS) ** len(EDGES)
    encodings = ("onehot", "adjacency", "path", "ordinal")
    cell_type = Cell
    accepts = "an NB201 string or Cell"

    def parse(self, text: str) -> Cell:
        return parse_cell(text)

    # -- conversions from other encodings -------------------------------------------------------
    def from_op_ids(self, ids: Sequence[int]) -> str:
        """String from op ids in string edge order with the official op ids (MeCo, Eagle keys)."""
        return format_cell(Cell(tuple(OPS[int(i)] for i in ids)))

    def from_naslib(self, ids: Sequence[int] | str) -> str:
        """String from a NASLib tuple (``"(4, 3, 3, 0, 0, 0)"`` or a sequence of ints)."""
        if isinstance(ids, str):
            ids = [int(t) for t in ids.strip("()[] ").split(",")]
        if len(ids) != 6:
            raise ValueError(f"a NASLib NB201 tuple has 6 entries, got {ids!r}")
        ops = [""] * 6
        for pos, op_id in zip(_NASLIB_POS, ids):
            ops[pos] = NASLIB_OPS[int(op_id)]
        return format_cell(Cell(tuple(ops)))

    def to_naslib(self, arch: Any) -> tuple[int, ...]:
        """The NASLib tuple of an architecture (inverse of ``from_naslib``)."""
        ops = self.cell(arch).ops
        return tuple(NASLIB_OPS.index(ops[pos]) for pos in _NASLIB_POS)

    # -- official index --------------------------------------------------------------------------
    @cached_property
    def official_order(self) -> tuple[str, ...]:
        """The 15,625 strings in official NATS-tss / NB201 index order.

        Read once per machine from the pinned NATS meta file (its bytes checked before they are
        unpickled), then loaded from the derived-table cache (``nasbench.cache``) in a few ms.
        """
        from nasbench.cache import cached

        table = cached("nb201-official-order", OFFICIAL_ORDER_SOURCE.sha256, _read_official_order)
        order = tuple(a.decode("ascii") for a in table.tolist())
        if len(order) != self.size:
            raise ValueError(f"NATS-tss meta lists {len(order)} archs; expected {self.size}")
        return order

    @cached_property
    def _index_of(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.official_order)}

    def index(self, arch: Any) -> int:
        """The official NB201 index of an architecture (string or Cell)."""
        return self._index_of[self.to_string(arch)]

    def arch_at(self, index: int) -> str:
        """The architecture string at an official index (0 .. 15,624)."""
        if not 0 <= int(index) < self.size:
            raise IndexError(f"NB201 index {index} out of range; use 0 .. {self.size - 1}")
        return self.official_order[int(index)]

    def enumerate(self) -> Iterator[str]:
        return iter(self.official_order)

    # -- identity --------------------------------------------------------------------------------
    def canonical_hash(self, arch: Any) -> str:
        """Equal for the cells of one class of the NATS isomorphism map (see ``expression``)."""
        return hashlib.md5(expression(self.cell(arch)).encode()).hexdigest()

    # -- size of the network ---------------------------------------------------------------------
    def params(self, arch: Any, num_classes: int = 10) -> float:
        """Parameters (millions) of the NB201 network built from ``arch``.

        The NATS-Bench topology network: a 3x3 stem conv to 16 channels, 3 stages of 5 cells at
        16 / 32 / 64 channels joined by two ResNet reduction blocks, BN + ReLU, global pooling and
        a linear classifier. Every ``nor_conv_kxk`` edge of every cell is ReLU-Conv(no bias)-BN;
        the other ops have no parameters. Equals the official NATS-Bench records (archs 0, 11, 284)
        and NAS-Bench-Suite-Zero's ``params`` exactly.
        """
        convs = self._conv_counts(arch)
        total = _FIXED_PARAMS + 65 * num_classes  # classifier: 64 inputs + a bias per class
        for k, count in convs.items():
            total += count * sum(5 * (c * c * k * k + 2 * c) for c in _STAGE_CHANNELS)
        return total / 1e6

    def flops(self, arch: Any, num_classes: int = 10, resolution: int = 32) -> float:
        """Multiply-adds (millions) of one forward pass on a ``resolution`` square input.

        Counted as NATS-Bench counts them: convolutions and the classifier only (pooling, BN and
        activations are free). ``resolution`` is 32 for CIFAR, 16 for ImageNet16-120.
        """
        convs = self._conv_counts(arch)
        scale = (resolution / 32) ** 2
        cell = sum(count * k * k for k, count in convs.items()) * _CELL_CONV1x1_MACS
        return (_FIXED_MACS_32 * scale + cell * scale + 65 * num_classes) / 1e6

    def _conv_counts(self, arch: Any) -> dict[int, int]:
        ops = self.cell(arch).ops
        return {1: ops.count("nor_conv_1x1"), 3: ops.count("nor_conv_3x3")}

    # -- encodings -------------------------------------------------------------------------------
    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Encode one arch or many.

        Encodings:
            ``onehot`` (30): one-hot op per edge, edges in string order.
            ``adjacency`` (64 + 30): the pruned op graph (8 x 8 upper adjacency, flattened) and a
                one-hot op per op vertex; dead ops are zeroed.
            ``path`` (84): counts of input -> output paths per op sequence (BANANAS), ``none``
                excluded; 4 + 16 + 64 sequences of length 1..3.
            ``ordinal`` (6): op id per edge, for tree models.
        """
        return self._encode(archs, encoding, empty_dtype=np.float64)


SPACE = NB201Space()
