"""The SpikeNAS-Bench cell space (spiking neural networks, 15,625 cells).

**The cell is NAS-Bench-201's**: a DAG of 4 nodes whose 6 edges ``j -> i`` (``j < i``) each carry
one operation, node ``i`` summing its inputs and node 3 being the output (SpikeNAS-Bench
``Neuronal_Cell``, the default "forward" cell). Only the operations differ. NAS-Bench-201 and
TransNAS-Bench-101 (micro) share the same cell; ``to_nb201`` / ``from_nb201`` convert where the
operations allow. The 5 operations, in SpikeNAS-Bench's op-id order:

==  =====================  =====================================================
id  name                   operation
==  =====================  =====================================================
0   ``none``               zero (the edge is absent), as NB201 ``none``
1   ``skip_connect``       identity, as NB201 ``skip_connect``
2   ``lif0.5_conv_3x3``    LIF neuron (threshold 0.5) -> 3x3 conv -> batch norm
3   ``lif1.0_conv_3x3``    LIF neuron (threshold 1.0) -> 3x3 conv -> batch norm
4   ``lif1.5_conv_3x3``    LIF neuron (threshold 1.5) -> 3x3 conv -> batch norm
==  =====================  =====================================================

Strings use NB201's layout with these op names (edges (0->1), (0->2), (1->2), (0->3), (1->3),
(2->3))::

    |lif0.5_conv_3x3~0|+|lif1.0_conv_3x3~0|none~1|+|lif1.5_conv_3x3~0|none~1|lif1.5_conv_3x3~2|

The official index is SpikeNAS-Bench's ``arch_id``: a base-5 number whose digits, least
significant first, are the op ids of edges (0,1), (0,2), (0,3), (1,2), (1,3), (2,3) (a different
edge order than the string's). ``index``/``arch_at`` convert; rows of the ``spikenas`` store are in
this order. Isomorphism is NB201's (``skip_connect`` is the identity, ``none`` contributes nothing;
NB201's rule, which reproduces the NATS isomorphism map, applied after renaming the three spiking
ops to NB201's three parametric ops one-to-one), so there are 6,466 classes, matching NB201's
cell for cell; ``canonical`` maps a cell to the member of its class with the smallest ``arch_id``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nasbench.spaces import _cell201
from nasbench.spaces._cell201 import Cell201, Cell201Space

#: the 5 operations, index = SpikeNAS-Bench op id
OPS: tuple[str, ...] = (
    "none", "skip_connect", "lif0.5_conv_3x3", "lif1.0_conv_3x3", "lif1.5_conv_3x3",
)
#: (source, target) of the 6 edges in string order (as NB201)
EDGES: tuple[tuple[int, int], ...] = _cell201.EDGES
N_NODES = _cell201.N_NODES
#: edge order of the base-5 digits of ``arch_id`` (least significant first)
ID_EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
_ID_POS = tuple(EDGES.index(e) for e in ID_EDGES)
#: ops both spaces have, by default the only ones ``to_nb201``/``from_nb201`` translate
SHARED_WITH_NB201 = {"none": "none", "skip_connect": "skip_connect"}
#: NB201 stand-ins for the spiking ops, used only to apply NB201's isomorphism rule
ISOMORPHISM_STAND_INS = {
    "lif0.5_conv_3x3": "nor_conv_1x1", "lif1.0_conv_3x3": "nor_conv_3x3",
    "lif1.5_conv_3x3": "avg_pool_3x3",
}


@dataclass(frozen=True)
class SpikeCell(Cell201):
    """One SpikeNAS cell: the 6 edge ops in string order."""

    OPS = OPS
    NAME = "SpikeNAS"


def format_cell(cell: SpikeCell) -> str:
    return _cell201.format_ops(cell.ops)


def parse_cell(text: str, ops: Sequence[str] = OPS, space: str = "SpikeNAS") -> tuple[str, ...]:
    """The 6 ops of an NB201-layout string over ``ops``; ``ValueError`` names the wrong part."""
    return _cell201.parse_ops(text, ops, space)


class SpikeNASSpace(Cell201Space):
    """The SpikeNAS-Bench cell space (see the module docstring)."""

    name = "spikenas"
    has_official_index = True
    size = len(OPS) ** len(EDGES)
    encodings = ("onehot", "path", "ordinal")
    cell_type = SpikeCell
    accepts = "a SpikeNAS string or SpikeCell"

    def parse(self, text: str) -> SpikeCell:
        return SpikeCell(parse_cell(text))

    def cell(self, arch: Any) -> SpikeCell:
        """A ``SpikeCell`` from a string, a ``SpikeCell`` or an ``arch_id``."""
        if isinstance(arch, bool):  # not an arch_id: parse refuses it, naming the type
            return self.parse(arch)  # type: ignore[arg-type]
        return super().cell(arch)

    # -- official index (arch_id) ---------------------------------------------------------------
    def arch_at(self, index: int) -> str:
        """The string of SpikeNAS-Bench ``arch_id`` ``index`` (0 .. 15,624)."""
        index = int(index)
        if not 0 <= index < self.size:
            raise IndexError(f"SpikeNAS arch_id {index} out of range; use 0 .. {self.size - 1}")
        ops = [""] * len(EDGES)
        for pos in _ID_POS:
            ops[pos] = OPS[index % 5]
            index //= 5
        return format_cell(SpikeCell(tuple(ops)))

    def index(self, arch: Any) -> int:
        """The ``arch_id`` of an architecture."""
        ids = self.cell(arch).op_ids
        return int(sum(ids[pos] * 5**k for k, pos in enumerate(_ID_POS)))

    def from_op_ids(self, ids: Sequence[int]) -> str:
        """String from the op ids of edges (0,1), (0,2), (0,3), (1,2), (1,3), (2,3) (the order of
        the summary CSV's ``op_01 .. op_23`` columns)."""
        if len(ids) != 6:
            raise ValueError(f"a SpikeNAS cell has 6 op ids (op_01 .. op_23), got {list(ids)!r}")
        ops = [""] * len(EDGES)
        for pos, op_id in zip(_ID_POS, ids):
            if not 0 <= int(op_id) < len(OPS):
                raise ValueError(f"SpikeNAS op id {op_id} out of range; use 0 .. {len(OPS) - 1}")
            ops[pos] = OPS[int(op_id)]
        return format_cell(SpikeCell(tuple(ops)))

    def enumerate(self) -> Iterator[str]:
        return (self.arch_at(i) for i in range(self.size))

    # -- identity --------------------------------------------------------------------------------
    def canonical_hash(self, arch: Any) -> str:
        """NB201's class hash of the cell with the spiking ops replaced by ``ISOMORPHISM_STAND_INS``.

        The cells are NB201's, so NB201's rule (the one that reproduces the NATS isomorphism map)
        decides which are the same; it is applied through a fixed one-to-one op renaming because
        that rule's string form depends on op names in a few corner cases.
        """
        from nasbench.spaces.nb201 import SPACE as NB201

        return NB201.canonical_hash(self.to_nb201(arch, ISOMORPHISM_STAND_INS))

    # -- conversion to / from NB201 --------------------------------------------------------------
    def to_nb201(self, arch: Any, op_map: Mapping[str, str] | None = None) -> str:
        """The NB201 cell with the same wiring; ``op_map`` maps SpikeNAS ops to NB201 ops.

        By default only ``none`` and ``skip_connect`` translate (the ops both spaces have); pass
        e.g. ``{"lif1.0_conv_3x3": "nor_conv_3x3"}`` to choose stand-ins for the spiking ops.

        Raises:
            ValueError: an op of ``arch`` has no mapping.
        """
        from nasbench.spaces.nb201 import OPS as NB201_OPS

        return self._convert(self.cell(arch).ops, {**SHARED_WITH_NB201, **(op_map or {})},
                             NB201_OPS, "SpikeNAS", "NB201")

    def from_nb201(self, arch: Any, op_map: Mapping[str, str] | None = None) -> str:
        """The SpikeNAS cell with the wiring of an NB201 cell; ``op_map`` maps NB201 ops.

        Raises:
            ValueError: an op of ``arch`` has no mapping (by default the convolutions and pooling).
        """
        from nasbench.spaces.nb201 import SPACE as NB201

        ops = NB201.cell(arch).ops
        return self._convert(ops, {**SHARED_WITH_NB201, **(op_map or {})}, OPS, "NB201", "SpikeNAS")

    @staticmethod
    def _convert(
        ops: Sequence[str], mapping: Mapping[str, str], target_ops: Sequence[str], src: str, dst: str
    ) -> str:
        out = []
        for (a, b), op in zip(EDGES, ops):
            new = mapping.get(op)
            if new is None:
                raise ValueError(
                    f"{src} op {op!r} on edge {a}->{b} has no {dst} counterpart; pass "
                    f"op_map={{{op!r}: <one of {', '.join(target_ops)}>}} to choose one"
                )
            if new not in target_ops:
                raise ValueError(f"op_map sends {op!r} to {new!r}, not a {dst} op ({', '.join(target_ops)})")
            out.append(new)
        return _cell201.format_ops(out)

    # -- encodings -------------------------------------------------------------------------------
    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Encode one arch or many.

        Encodings:
            ``onehot`` (30): one-hot op per edge, edges in string order.
            ``path`` (84): counts of input -> output paths per op sequence (BANANAS), ``none``
                excluded; 4 + 16 + 64 sequences of length 1..3 (as NB201's ``path``).
            ``ordinal`` (6): op id per edge (string order), for tree models.
        """
        return self._encode(archs, encoding)


SPACE = SpikeNASSpace()
