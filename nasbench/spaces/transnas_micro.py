"""The TransNAS-Bench-101 micro (cell-level) search space.

A network is the fixed skeleton ``41414`` (five modules; ``4`` halves the resolution and doubles
the channels, ``1`` keeps both) of 64 base channels, every cell the same. A cell is the NAS-Bench-201
cell with 4 operations instead of 5 (no ``avg_pool_3x3``). The benchmark's string is::

    64-41414-1_02_333
             a bc def      a: node 0->1 | b, c: 0->2, 1->2 | d, e, f: 0->3, 1->3, 2->3

with op digits ``0`` none (zero), ``1`` skip_connect, ``2`` nor_conv_1x1, ``3`` nor_conv_3x3
(ReLU-Conv-BN). Edges are in NB201 string order and the digit is the NB201 op id, so
``to_nb201`` / ``from_nb201`` convert a cell exactly (``from_nb201`` refuses ``avg_pool_3x3``
with a ``ValueError``). **The NB201 space (``nasbench.spaces.nb201``) shares this cell.** The
same cell in the two benchmarks is trained in different networks, so values never transfer.

The space has 4**6 = 4,096 cells; ``enumerate`` lists them in digit order (which is the sorted
order of the strings). TransNAS-Bench-101's own index order lives in its ``.pth`` file, which is
not available; ``index`` is the position in this enumeration, not an official index.

Identity. ``canonical`` follows the NB201 ``expression`` idea (a node is a sorted sum, ``none``
contributes zero, an op applied to zero is zero), with one difference that matters here: in the two downsampling modules the ops leaving the cell input run with stride 2 and change
the channel count, so ``skip_connect`` *from node 0* is a factorised reduction there, not the
identity. ``expression(cell, reduction=True)`` (the default) keeps it as an op, which gives 1,229
classes (1,228 of connected cells, one holding all 169 disconnected cells); ``reduction=False``
treats every skip as the identity (871 classes). Unlike ``nb201.expression`` (kept as the NATS-Bench map has it),
zero terms are dropped and sums are flattened. ``canonical`` returns the class member that comes
first in the enumeration. Check on the data: TransNAS-Bench-101 reports identical results on all 7
tasks for 536 groups of cells; every group lies inside one class.

NASLib encodings: NAS-Bench-Suite-Zero's TransNAS files (``transbench101_micro`` in
``tnb101_*.zip``, ``all_benchmarks_zen.zip``) use the digits themselves; the older
``9x_all.zip`` runs used NASLib's earlier convention, that of its NB201 tuples (ops 0 skip, 1 none,
2 conv3x3, 3 conv1x1; edges 0->1, 0->2, 0->3, 1->2, 1->3, 2->3), shown by which cells its proxies
fail on and score chance accuracy. ``from_naslib(ids, legacy=True)`` reads the latter.

Usage::

    >>> from nasbench.spaces.transnas_micro import SPACE as micro
    >>> micro.to_nb201("64-41414-1_02_333")
    '|skip_connect~0|+|none~0|nor_conv_1x1~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'
    >>> len(micro.neighbours("64-41414-1_02_333"))
    18
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from nasbench.spaces import _transnas, nb201
from nasbench.spaces._cell201 import Cell201, Cell201Space

#: the 4 operations; index = the digit in the string (= the NB201 op id)
OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3")
#: (source, target) of the 6 edges in string order (the NB201 order)
EDGES: tuple[tuple[int, int], ...] = nb201.EDGES
N_NODES = nb201.N_NODES
#: base channels and macro skeleton every micro network uses
PREFIX = "64-41414-"
#: op order of NASLib's TransNAS micro space before it adopted the digits (``9x_all.zip``)
NASLIB_LEGACY_OPS: tuple[str, ...] = nb201.NASLIB_OPS[:4]

assert nb201.OPS[: len(OPS)] == OPS  # the digit is the NB201 op id


@dataclass(frozen=True)
class Cell(Cell201):
    """One TransNAS micro cell: the 6 edge ops in string order."""

    OPS = OPS
    NAME = "TransNAS micro"

    def __str__(self) -> str:
        return format_cell(self)

    @property
    def digits(self) -> tuple[int, ...]:
        """Op digits (index into ``OPS``) in string order (the op ids)."""
        return self.op_ids


def format_cell(cell: Cell) -> str:
    d = cell.digits
    return f"{PREFIX}{d[0]}_{d[1]}{d[2]}_{d[3]}{d[4]}{d[5]}"


def parse_cell(text: str) -> Cell:
    """Parse ``64-41414-a_bc_def``; a malformed string raises ``ValueError`` naming the part."""
    skeleton, code = _transnas.split(text, "micro", "channels, skeleton, cell", "64-41414-1_02_333")
    if skeleton != "41414":
        raise ValueError(
            f"TransNAS micro string {text!r}: skeleton {skeleton!r}; micro networks use '41414'"
        )
    if code == "basic":
        raise ValueError(
            f"TransNAS micro string {text!r} is a macro network: use the transnas_macro space"
        )
    groups = code.split("_")
    if [len(g) for g in groups] != [1, 2, 3]:
        raise ValueError(
            f"TransNAS micro string {text!r}: cell {code!r} must be 'a_bc_def' (1, 2 and 3 op "
            "digits for nodes 1, 2, 3)"
        )
    ops = []
    for node, group in enumerate(groups, start=1):
        for source, ch in enumerate(group):
            if ch not in "0123":
                raise ValueError(
                    f"TransNAS micro string {text!r}: op digit {ch!r} on edge {source}->{node} "
                    "is not 0 (none), 1 (skip_connect), 2 (nor_conv_1x1) or 3 (nor_conv_3x3)"
                )
            ops.append(OPS[int(ch)])
    return Cell(tuple(ops))


def expression(cell: Cell, reduction: bool = True) -> str:
    """The function a cell computes, as a formal expression over its input ``0``.

    ``skip_connect`` is the identity, another op ``o`` applied to ``x`` is ``(x)@o``, and a node
    is the sorted ``+``-join of the terms of its non-zero inputs (sums flattened, multiplicity
    kept); a ``none`` edge, an edge leaving a zero node, and a node with no non-zero input are
    zero, written ``#`` when it is the output. With ``reduction`` (default) a skip leaving node 0
    is the op ``fr`` (the factorised reduction it becomes in downsampling cells).

    Unlike ``nb201.expression``, which keeps zero terms and nested sums to reproduce the
    NATS-Bench isomorphism map, this is the sum's algebra: e.g. swapping two nodes that do not
    feed each other, or routing a sum through a skip, never changes the expression.
    """
    # each node is a sorted multiset of terms; a sum is associative, so a skip passes its
    # source's terms on (flattened) and an op wraps the whole sum
    nodes: list[list[str]] = [["0"]]
    start = 0
    for node in range(1, N_NODES):
        terms: list[str] = []
        for source, op in enumerate(cell.ops[start : start + node]):
            x = nodes[source]
            if op == "none" or not x:
                continue
            if op == "skip_connect" and not (reduction and source == 0):
                terms.extend(x)
            else:
                terms.append(f"({'+'.join(x)})@{'fr' if op == 'skip_connect' else op}")
        nodes.append(sorted(terms))
        start += node
    return "+".join(nodes[-1]) or "#"


class TransNASMicroSpace(Cell201Space):
    """The TransNAS-Bench-101 micro cell space (see the module docstring)."""

    name = "transnas_micro"
    size = len(OPS) ** len(EDGES)
    encodings = ("onehot", "adjacency", "path", "ordinal")
    cell_type = Cell
    accepts = "a TransNAS micro string or Cell"

    def parse(self, text: str) -> Cell:
        return parse_cell(text)

    # -- NB201 and NASLib ------------------------------------------------------------------------
    def to_nb201(self, arch: Any) -> str:
        """The NB201 string of the same cell (always possible)."""
        return nb201.format_cell(nb201.Cell(self.cell(arch).ops))

    def from_nb201(self, arch: Any) -> str:
        """The TransNAS micro string of an NB201 cell (string or ``nb201.Cell``).

        Raises:
            ValueError: the cell uses ``avg_pool_3x3``, which TransNAS micro does not have.
        """
        cell = arch if isinstance(arch, nb201.Cell) else nb201.parse_cell(arch)
        for (src, dst), op in zip(EDGES, cell.ops):
            if op not in OPS:
                raise ValueError(
                    f"NB201 cell {nb201.format_cell(cell)!r} has {op!r} on edge {src}->{dst}; "
                    f"TransNAS micro has only {', '.join(OPS)}"
                )
        return format_cell(Cell(cell.ops))

    def from_naslib(self, ids: Sequence[int] | str, legacy: bool = False) -> str:
        """String from a NASLib op-index tuple (``"(0, 3, 1, 0, 2, 3)"`` or ints).

        ``legacy=False``: the ids are the digits in string order (NAS-Bench-Suite-Zero's
        TransNAS files). ``legacy=True``: NASLib's earlier convention, the one of its NB201
        tuples (ops ``NASLIB_LEGACY_OPS``, edges ``nb201.NASLIB_EDGES``), used by ``9x_all.zip``.
        """
        if isinstance(ids, str):
            ids = [int(t) for t in ids.strip("()[] ").split(",")]
        ids = [int(i) for i in ids]
        if len(ids) != len(EDGES) or not all(0 <= i < len(OPS) for i in ids):
            raise ValueError(f"a NASLib TransNAS micro tuple has 6 ids in 0..3, got {ids!r}")
        if legacy:
            return self.from_nb201(nb201.SPACE.from_naslib(ids))
        return format_cell(Cell(tuple(OPS[i] for i in ids)))

    def to_naslib(self, arch: Any, legacy: bool = False) -> tuple[int, ...]:
        """The NASLib tuple of an arch (inverse of ``from_naslib``)."""
        if legacy:
            return nb201.SPACE.to_naslib(self.to_nb201(arch))
        return self.cell(arch).digits

    # -- enumeration -----------------------------------------------------------------------------
    @cached_property
    def _all(self) -> tuple[str, ...]:
        return tuple(
            format_cell(Cell(tuple(OPS[(i // 4 ** (5 - e)) % 4] for e in range(6))))
            for i in range(self.size)
        )

    @cached_property
    def _index_of(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self._all)}

    def enumerate(self) -> Iterator[str]:
        return iter(self._all)

    def index(self, arch: Any) -> int:
        """Position in ``enumerate`` (digits read as a base-4 number; not an official index)."""
        return self._index_of[self.to_string(arch)]

    def arch_at(self, index: int) -> str:
        if not 0 <= int(index) < self.size:
            raise IndexError(f"TransNAS micro index {index} out of range; use 0 .. {self.size - 1}")
        return self._all[int(index)]

    # -- identity --------------------------------------------------------------------------------
    def canonical_hash(self, arch: Any) -> str:
        """Equal for the cells of one class of the reduction-aware ``expression``."""
        return hashlib.md5(expression(self.cell(arch)).encode()).hexdigest()

    # -- encodings -------------------------------------------------------------------------------
    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Encode one arch or many.

        Encodings:
            ``onehot`` (24): one-hot op per edge, edges in string order.
            ``adjacency`` (64 + 24): the pruned op graph (8 x 8: input, 6 edge ops, output) and a
                one-hot op per op vertex; dead ops are zeroed.
            ``path`` (39): counts of input -> output paths per op sequence, ``none`` excluded;
                3 + 9 + 27 sequences of length 1..3 (BANANAS).
            ``ordinal`` (6): op digit per edge.
        """
        return self._encode(archs, encoding)


SPACE = TransNASMicroSpace()
