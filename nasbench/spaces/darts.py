"""The DARTS search space (NAS-Bench-301).

An architecture is a *genotype*: a normal cell and a reduction cell, each with 4 intermediate nodes
(numbered 2..5; 0 and 1 are the outputs of the two previous cells). Each intermediate node sums two
operations applied to two *different* earlier nodes, so a cell is 8 ``(op, input)`` pairs, two per
node, and the cell output concatenates nodes 2..5. The benchmark's string is the repr of the DARTS
``Genotype`` namedtuple, as NAS-Bench-301 takes it::

    Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 0),
    ('sep_conv_3x3', 1), ...8 pairs...], normal_concat=[2, 3, 4, 5],
    reduce=[...8 pairs...], reduce_concat=[2, 3, 4, 5])

(one line). Pair ``2k`` and ``2k+1`` feed node ``k + 2`` and may read nodes ``0 .. k+1``. The 7
operations are ``OPS`` (DARTS' primitives without ``none``). ``parse`` also accepts
``normal_concat=range(2, 6)`` (what the original DARTS code prints) and positional fields;
``format`` always writes the form above and keeps the pairs in the order given, so
``format(parse(s)) == s`` for every string ``format`` produced.

Identity. A node is a *sum*, so the order of its two pairs carries no meaning; and the intermediate
nodes are all concatenated into the output, so renumbering them (keeping every input earlier than
the node that reads it) only permutes output channels, which the next cell's 1x1 preprocessing
absorbs. ``canonical`` sorts each node's pairs and takes the smallest renumbering of each cell;
other functional identities (e.g. ``skip_connect`` being the identity in a normal cell) are *not*
folded, matching how NAS-Bench-301 treats genotypes.

The space has (1*3*6*10 * 7**8)**2 ~ 1.1e18 genotypes; it cannot be enumerated (``size`` is None;
``N_GENOTYPES`` holds the count). Tables (``nb301``) cover samples of it.

NASLib's compact form (``[[(input, op_id) x 8], [(input, op_id) x 8]]`` with op ids into
``OPS``) converts with ``from_naslib`` / ``to_naslib``.

Usage::

    >>> from nasbench.spaces.darts import SPACE as darts
    >>> g = darts.sample(1, seed=0)[0]
    >>> darts.parse(g).normal[0], len(darts.neighbours(g))
    (('sep_conv_3x3', 0), 120)
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from nasbench.spaces.base import SearchSpace, as_list

#: the 7 operations, in DARTS' PRIMITIVES order (without 'none'); index = NASLib op id
OPS: tuple[str, ...] = (
    "max_pool_3x3",
    "avg_pool_3x3",
    "skip_connect",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "dil_conv_3x3",
    "dil_conv_5x5",
)
N_NODES = 4  # intermediate nodes per cell
N_PAIRS = 2 * N_NODES
CONCAT = (2, 3, 4, 5)
#: longest text the parser reads: a genotype string is about 420 characters, and anything much
#: longer is refused before Python's parser sees it (deep nesting, huge literals)
MAX_TEXT = 4096
CELLS = ("normal", "reduce")
#: (input, node) of the 14 possible edges of a cell, in node order
EDGES: tuple[tuple[int, int], ...] = tuple(
    (i, node) for node in range(2, 2 + N_NODES) for i in range(node)
)
#: number of genotypes: per cell, node k picks 2 of k+2 inputs and 7 ops for each
N_GENOTYPES = (1 * 3 * 6 * 10 * len(OPS) ** N_PAIRS) ** 2

Pair = tuple[str, int]


@dataclass(frozen=True)
class Genotype:
    """A DARTS genotype: 8 ``(op, input)`` pairs for each cell (see the module docstring)."""

    normal: tuple[Pair, ...]
    reduce: tuple[Pair, ...]

    def __post_init__(self) -> None:
        for name in CELLS:
            object.__setattr__(self, name, _check_cell(getattr(self, name), name))

    def __str__(self) -> str:
        return format_genotype(self)

    def cell(self, name: str) -> tuple[Pair, ...]:
        """The pairs of the ``"normal"`` or ``"reduce"`` cell."""
        return getattr(self, name)


def _check_cell(pairs: Any, name: str) -> tuple[Pair, ...]:
    try:
        pairs = tuple((str(op), int(i)) for op, i in pairs)
    except (TypeError, ValueError):
        raise ValueError(
            f"DARTS {name} cell must be a list of (op, input) pairs, got {pairs!r}"
        ) from None
    if len(pairs) != N_PAIRS:
        raise ValueError(f"DARTS {name} cell has {len(pairs)} (op, input) pairs; expected 8")
    for pos, (op, i) in enumerate(pairs):
        node = pos // 2 + 2
        if op not in OPS:
            hint = " (genotypes never contain 'none')" if op == "none" else ""
            raise ValueError(
                f"DARTS {name} cell pair {pos}: unknown op {op!r}{hint}; use one of {', '.join(OPS)}"
            )
        if not 0 <= i < node:
            raise ValueError(
                f"DARTS {name} cell pair {pos}: node {node} cannot read node {i}; "
                f"inputs run from 0 to {node - 1}"
            )
    for k in range(N_NODES):
        if pairs[2 * k][1] == pairs[2 * k + 1][1]:
            raise ValueError(
                f"DARTS {name} cell: node {k + 2} reads node {pairs[2 * k][1]} twice; "
                "its two pairs must have different inputs"
            )
    return pairs


# -- strings -------------------------------------------------------------------------------------


def format_genotype(g: Genotype) -> str:
    """The one-line ``Genotype(...)`` string (pairs in the order given)."""

    def cell(pairs: tuple[Pair, ...]) -> str:
        return "[" + ", ".join(f"('{op}', {i})" for op, i in pairs) + "]"

    concat = "[2, 3, 4, 5]"
    return (
        f"Genotype(normal={cell(g.normal)}, normal_concat={concat}, "
        f"reduce={cell(g.reduce)}, reduce_concat={concat})"
    )


def _literal(node: ast.AST, field: str, text: str) -> Any:
    # range(2, 6) is how the original DARTS code prints the concat list
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "range"
        and not node.keywords
    ):
        args = [_literal(a, field, text) for a in node.args]
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args) and 1 <= len(args) <= 3:
            span = range(*args) if args[-1] != 0 or len(args) < 3 else range(0)
            if len(span) > len(CONCAT):  # range(10000000) is no concat list; never build it
                raise ValueError(
                    f"DARTS genotype {_short(text)!r}: field {field} is {ast.unparse(node)[:40]}, "
                    "not the concat list [2, 3, 4, 5]"
                )
            return list(span)
    try:
        return _quiet(ast.literal_eval, node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError, OverflowError):
        raise ValueError(
            f"DARTS genotype {_short(text)!r}: field {field} is not a literal list"
        ) from None


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _quiet(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` without the SyntaxWarnings Python's parser prints for odd string escapes."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return fn(*args)


def parse_genotype(text: str) -> Genotype:
    """Parse a ``Genotype(...)`` string; a malformed one raises ``ValueError`` naming the part."""
    if not isinstance(text, str):
        raise ValueError(
            "a DARTS architecture is a string like \"Genotype(normal=[('sep_conv_3x3', 0), ...], "
            f"normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[2, 3, 4, 5])\", got "
            f"{type(text).__name__}"
        )
    short = _short(text)
    if len(text) > MAX_TEXT:
        raise ValueError(
            f"DARTS genotype {short!r} is {len(text):,} characters; a genotype string has a few "
            f"hundred (at most {MAX_TEXT:,} are read)"
        )
    try:
        tree = _quiet(ast.parse, text.strip(), "<genotype>", "eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError, OverflowError):
        raise ValueError(
            f"DARTS genotype {short!r} is not of the form 'Genotype(normal=[...], "
            "normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[2, 3, 4, 5])'"
        ) from None
    if not (
        isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id == "Genotype"
    ):
        raise ValueError(f"DARTS genotype {short!r} must start with 'Genotype('")
    names = ("normal", "normal_concat", "reduce", "reduce_concat")
    if len(tree.args) > len(names):
        raise ValueError(f"DARTS genotype {short!r} has {len(tree.args)} fields; expected 4")
    fields: dict[str, ast.AST] = dict(zip(names, tree.args))
    for kw in tree.keywords:
        if kw.arg not in names:
            raise ValueError(
                f"DARTS genotype {short!r}: unknown field {kw.arg!r}; use {', '.join(names)}"
            )
        if kw.arg in fields:
            raise ValueError(f"DARTS genotype {short!r}: field {kw.arg!r} given twice")
        fields[kw.arg] = kw.value
    missing = [n for n in names if n not in fields]
    if missing:
        raise ValueError(f"DARTS genotype {short!r}: missing field {', '.join(missing)}")
    values = {n: _literal(fields[n], n, text) for n in names}
    for name in CELLS:
        concat = values[f"{name}_concat"]
        if not isinstance(concat, (list, tuple)) or tuple(concat) != CONCAT:
            raise ValueError(
                f"DARTS genotype {short!r}: {name}_concat is {concat!r}; the DARTS space "
                "concatenates nodes [2, 3, 4, 5]"
            )
        pairs = values[name]
        if not isinstance(pairs, (list, tuple)) or not all(
            isinstance(p, (list, tuple)) and len(p) == 2 for p in pairs
        ):
            raise ValueError(
                f"DARTS genotype {short!r}: {name} must be a list of (op, input) pairs"
            )
        for pos, (op, i) in enumerate(pairs):
            if not isinstance(op, str) or isinstance(i, bool) or not isinstance(i, int):
                raise ValueError(
                    f"DARTS genotype {short!r}: {name} pair {pos} {(op, i)!r} must be "
                    "('op_name', input_node)"
                )
    return Genotype(tuple(values["normal"]), tuple(values["reduce"]))


# -- identity ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _orders() -> tuple[tuple[int, ...], ...]:
    """All renumberings of nodes 2..5 (as old node -> new node maps), identity first."""
    return tuple(itertools.permutations(range(2, 2 + N_NODES)))


def canonical_cell(pairs: Sequence[Pair]) -> tuple[Pair, ...]:
    """The representative of a cell: smallest over valid node renumberings, pairs sorted.

    A renumbering ``perm`` sends old node ``2 + k`` to ``perm[k]``; it is valid when every node
    still reads only earlier nodes. Each node's pairs are sorted by ``(input, op id)``.
    """
    best: tuple[tuple[int, int], ...] | None = None
    for perm in _orders():
        relabel = {0: 0, 1: 1, **{2 + k: new for k, new in enumerate(perm)}}
        nodes: list[list[tuple[int, int]]] = [[] for _ in range(N_NODES)]
        ok = True
        for pos, (op, i) in enumerate(pairs):
            new_node, new_input = relabel[pos // 2 + 2], relabel[i]
            if new_input >= new_node:
                ok = False
                break
            nodes[new_node - 2].append((new_input, OPS.index(op)))
        if not ok:
            continue
        key = tuple(p for node in nodes for p in sorted(node))
        if best is None or key < best:
            best = key
    assert best is not None  # the identity renumbering is always valid
    return tuple((OPS[o], i) for i, o in best)


class DartsSpace(SearchSpace):
    """The DARTS / NAS-Bench-301 genotype space (see the module docstring)."""

    name = "darts"
    size = None
    encodings = ("onehot", "adjacency", "ordinal")

    def parse(self, text: str) -> Genotype:
        return parse_genotype(text)

    def format(self, arch: Any) -> str:
        if isinstance(arch, Genotype):
            return format_genotype(arch)
        if isinstance(arch, str):
            return format_genotype(parse_genotype(arch))
        raise TypeError(f"expected a DARTS genotype string or Genotype, got {type(arch).__name__}")

    def genotype(self, arch: Any) -> Genotype:
        """A ``Genotype`` from a string or a ``Genotype``."""
        return arch if isinstance(arch, Genotype) else parse_genotype(arch)

    def cell_edges(self, arch: Any, cell: str = "normal") -> tuple[tuple[int, int, str], ...]:
        """The wiring a network builder reads: ``(to_node, from_node, op)`` for the 8 edges of
        the ``normal`` or ``reduce`` cell, in genotype order.

        Nodes 0 and 1 are the outputs of the two previous cells, nodes 2..5 the intermediate
        nodes (node ``2 + k`` sums the ops of pairs ``2k`` and ``2k + 1``); the cell's output
        concatenates nodes ``CONCAT`` (2, 3, 4, 5). In a reduce cell, ops reading nodes 0 and 1
        have stride 2.
        """
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
        pairs = getattr(self.genotype(arch), cell)
        return tuple((2 + pos // 2, int(i), op) for pos, (op, i) in enumerate(pairs))

    # -- conversions -----------------------------------------------------------------------------
    def from_naslib(self, compact: Any) -> str:
        """String from NASLib's compact form ``[[(input, op_id) x 8], [(input, op_id) x 8]]``
        (a nested sequence or its string)."""
        if isinstance(compact, str):
            if len(compact) > MAX_TEXT:
                raise ValueError(
                    f"not a NASLib compact DARTS genotype: {len(compact):,} characters "
                    f"(at most {MAX_TEXT:,} are read)"
                )
            try:
                compact = _quiet(ast.literal_eval, compact)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError, OverflowError):
                raise ValueError(f"not a NASLib compact DARTS genotype: {_short(compact)!r}") from None
        if not hasattr(compact, "__len__") or len(compact) != 2:
            raise ValueError(f"a NASLib compact genotype has 2 cells, got {len(compact)}")
        cells = []
        for name, cell in zip(CELLS, compact):
            try:
                cells.append(tuple((OPS[int(o)], int(i)) for i, o in cell))
            except (IndexError, TypeError, ValueError):
                raise ValueError(
                    f"NASLib compact {name} cell {cell!r}: expected (input, op_id) pairs with op "
                    f"ids 0..{len(OPS) - 1}"
                ) from None
        return format_genotype(Genotype(*cells))

    def to_naslib(self, arch: Any) -> tuple[tuple[tuple[int, int], ...], ...]:
        """NASLib's compact form of an architecture (inverse of ``from_naslib``)."""
        g = self.genotype(arch)
        return tuple(tuple((i, OPS.index(op)) for op, i in g.cell(c)) for c in CELLS)

    # -- identity --------------------------------------------------------------------------------
    def canonical(self, arch: Any) -> str:
        g = self.genotype(arch)
        return format_genotype(Genotype(canonical_cell(g.normal), canonical_cell(g.reduce)))

    # -- sampling and neighbours -----------------------------------------------------------------
    def sample(self, n: int, seed: int | None = None) -> list[str]:
        """Uniform genotypes: per node 2 distinct inputs (ascending) and 2 independent ops."""
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(int(n)):
            cells = []
            for _cell in CELLS:
                pairs: list[Pair] = []
                for k in range(N_NODES):
                    inputs = np.sort(rng.choice(k + 2, size=2, replace=False))
                    ops = rng.integers(0, len(OPS), size=2)
                    pairs.extend((OPS[o], int(i)) for o, i in zip(ops, inputs))
                cells.append(tuple(pairs))
            out.append(format_genotype(Genotype(*cells)))
        return out

    def neighbours(self, arch: Any) -> list[str]:
        """Genotypes one mutation away: one pair's op changed (96) or one pair's input moved to
        another node it may read that its sibling does not (24); 120 in all."""
        g = self.genotype(arch)
        out = []
        for c in CELLS:
            pairs = list(g.cell(c))
            for pos, (op, i) in enumerate(pairs):
                sibling = pairs[pos ^ 1][1]
                variants = [(o, i) for o in OPS if o != op]
                variants += [(op, j) for j in range(pos // 2 + 2) if j not in (i, sibling)]
                for v in variants:
                    new = pairs[:pos] + [v] + pairs[pos + 1 :]
                    cells = {c2: g.cell(c2) for c2 in CELLS}
                    cells[c] = tuple(new)
                    out.append(format_genotype(Genotype(**cells)))
        return out

    # -- encodings -------------------------------------------------------------------------------
    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Encode one arch or many.

        Encodings:
            ``onehot`` (196): for each cell, for each of the 14 possible edges (input, node) in
                node order, a one-hot op (all zero when the edge is not used). Invariant to the
                order of a node's two pairs.
            ``adjacency`` (354): for each cell, the op graph (11 vertices: inputs 0 and 1, the 8
                ops with each node's pairs sorted, the output; 11 x 11 adjacency flattened) and a
                one-hot op per op vertex (8 x 7).
            ``ordinal`` (32): NASLib's compact form flattened, (input, op id) per pair, for tree
                models.
        """
        enc = self.check_encoding(encoding)
        items, single = as_list(archs)
        fn = {"onehot": _onehot, "adjacency": _adjacency, "ordinal": _ordinal}[enc]
        out = (
            np.stack([fn(self.genotype(a)) for a in items])
            if items
            else np.zeros((0, 0), dtype=np.float32)
        )
        return out[0] if single else out

    def to_graph(self, arch: Any) -> tuple[np.ndarray, np.ndarray]:
        """Both cells' op graphs side by side: 22 vertices, normal cell 0..10, reduce 11..21.

        Within a cell: vertex 0 and 1 are the cell inputs, 2..9 the ops (each node's pairs
        sorted), 10 the output. An input feeds the ops reading it, an op feeds every op reading
        its node and the output (all nodes are concatenated). Node features are one-hot over
        ``("input0", "input1", "output", *OPS)`` plus a last column set to 1 in the reduction cell.
        """
        g = self.genotype(arch)
        kinds = ("input0", "input1", "output", *OPS)
        feats = np.zeros((22, len(kinds) + 1), dtype=np.float32)
        arcs: list[tuple[int, int]] = []
        for c, name in enumerate(CELLS):
            base = 11 * c
            pairs = _sorted_pairs(g.cell(name))
            feats[base + 0, 0] = feats[base + 1, 1] = feats[base + 10, 2] = 1.0
            for v, (op, _) in enumerate(pairs, start=2):
                feats[base + v, kinds.index(op)] = 1.0
            feats[base : base + 11, -1] = float(c)
            arcs.extend((base + a, base + b) for a, b in _cell_arcs(pairs))
        return feats, np.array(arcs, dtype=np.int64).T


def _sorted_pairs(pairs: Sequence[Pair]) -> list[Pair]:
    out: list[Pair] = []
    for k in range(N_NODES):
        out.extend(sorted(pairs[2 * k : 2 * k + 2], key=lambda p: (p[1], OPS.index(p[0]))))
    return out


def _cell_arcs(pairs: Sequence[Pair]) -> list[tuple[int, int]]:
    """Arcs of a cell's op graph: vertices 0, 1 inputs; 2 + pos the op of pair pos; 10 output."""
    arcs = []
    for pos, (_, i) in enumerate(pairs):
        v = 2 + pos
        if i < 2:
            arcs.append((i, v))
        else:
            # read node i: fed by both ops of that node
            arcs.extend((2 + 2 * (i - 2) + s, v) for s in (0, 1))
        arcs.append((v, 10))
    return sorted(arcs)


def _onehot(g: Genotype) -> np.ndarray:
    x = np.zeros((len(CELLS), len(EDGES), len(OPS)), dtype=np.float32)
    for c, name in enumerate(CELLS):
        for pos, (op, i) in enumerate(g.cell(name)):
            x[c, EDGES.index((i, pos // 2 + 2)), OPS.index(op)] = 1.0
    return x.ravel()


def _adjacency(g: Genotype) -> np.ndarray:
    parts = []
    for name in CELLS:
        pairs = _sorted_pairs(g.cell(name))
        adj = np.zeros((11, 11), dtype=np.float32)
        for a, b in _cell_arcs(pairs):
            adj[a, b] = 1.0
        ops = np.zeros((N_PAIRS, len(OPS)), dtype=np.float32)
        ops[np.arange(N_PAIRS), [OPS.index(op) for op, _ in pairs]] = 1.0
        parts += [adj.ravel(), ops.ravel()]
    return np.concatenate(parts)


def _ordinal(g: Genotype) -> np.ndarray:
    return np.array(
        [v for c in CELLS for op, i in g.cell(c) for v in (i, OPS.index(op))], dtype=np.float32
    )


SPACE = DartsSpace()
