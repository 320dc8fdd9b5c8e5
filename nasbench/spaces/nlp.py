"""The NAS-Bench-NLP recurrent-cell space (Klyuchnikov et al., 2020).

A cell is a DAG computing new hidden states from the input ``x`` and the previous hidden states
``h_prev_0 .. h_prev_{k-1}``. The benchmark writes it ("recepie") as a JSON object mapping each node
name to its operation and inputs::

    {"f": {"op": "linear", "input": ["x", "h_prev_0"]}, "h_new_0": {"op": "activation_tanh", "input": ["f"]}}

Nodes ``h_new_0 .. h_new_{k-1}`` are the new hidden states (k = 1..5; all must be present, and
``h_prev_j`` may only be used for j < k); other names are free. Operations and their inputs:

=========================  ======  ====================================================
op                         inputs  computes
=========================  ======  ====================================================
``linear``                 1+      sum of a learned linear map of each input, plus bias
``blend``                  3       ``z * a + (1 - z) * b`` for inputs ``(z, a, b)``
``elementwise_prod``       2       product
``elementwise_sum``        2       sum
``activation_tanh``        1       tanh
``activation_sigm``        1       sigmoid
``activation_leaky_relu``  1       leaky ReLU
=========================  ======  ====================================================

Strings are the benchmark's JSON with nodes in a fixed topological order (ties by natural name
order) and json's default separators; ``format(parse(s)) == s`` for such strings. Identity: nodes
that feed no ``h_new_*`` are dropped, intermediate names do not matter and the inputs of
``linear``/``elementwise_*`` commute, so ``canonical`` renames the intermediate nodes
``node_0, node_1, ...`` in an order fixed by structure, and ``to_string`` returns it (so a store finds
any spelling of a cell). The space has no official enumeration; ``sample`` uses a simple random
generator, not the benchmark's.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nasbench.spaces.base import SearchSpace, as_list

OPS: tuple[str, ...] = (
    "linear", "blend", "elementwise_prod", "elementwise_sum",
    "activation_tanh", "activation_sigm", "activation_leaky_relu",
)
#: allowed number of inputs: (min, max)
ARITY: dict[str, tuple[int, int]] = {
    "linear": (1, 8), "blend": (3, 3), "elementwise_prod": (2, 2), "elementwise_sum": (2, 2),
    "activation_tanh": (1, 1), "activation_sigm": (1, 1), "activation_leaky_relu": (1, 1),
}
COMMUTATIVE = {"linear", "elementwise_prod", "elementwise_sum"}
MAX_HIDDEN = 5
#: op vertices the ``adjacency`` encoding has room for
MAX_NODES = 18
#: most nodes a parsed cell may have (the benchmark's cells have at most about 25), and most
#: characters read: bounds keep parsing and canonicalisation fast on any input
MAX_PARSE_NODES = 100
MAX_TEXT = 20_000
_PREV = re.compile(r"h_prev_(\d+)")
_NEW = re.compile(r"h_new_(\d+)")


@dataclass(frozen=True)
class Node:
    name: str
    op: str
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class RNNCell:
    """A recurrent cell: nodes in topological order and the number of hidden states."""

    nodes: tuple[Node, ...]
    n_hidden: int

    def __str__(self) -> str:
        return format_cell(self)


def _natural(name: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def format_cell(cell: RNNCell) -> str:
    return json.dumps({n.name: {"op": n.op, "input": list(n.inputs)} for n in cell.nodes})


def _topological(nodes: dict[str, Node], key=_natural) -> list[Node]:
    """Kahn's order over ``nodes`` (ties by ``key``); ``ValueError`` on a cycle."""
    pending = {name: {i for i in node.inputs if i in nodes} for name, node in nodes.items()}
    order: list[Node] = []
    ready = sorted((n for n, deps in pending.items() if not deps), key=key)
    while ready:
        name = ready.pop(0)
        order.append(nodes[name])
        del pending[name]
        freed = [n for n, deps in pending.items() if name in deps and deps == {name}]
        for deps in pending.values():
            deps.discard(name)
        ready = sorted(ready + freed, key=key)
    if pending:
        raise ValueError(f"NAS-Bench-NLP cell has a cycle through node(s) {', '.join(sorted(pending))}")
    return order


def parse_cell(text: str) -> RNNCell:
    """Parse a recipe JSON string; ``ValueError`` names the wrong node or field."""
    if not isinstance(text, str):
        raise ValueError(f"a NAS-Bench-NLP cell is a JSON string, got {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise ValueError(
            f"NAS-Bench-NLP cell is {len(text):,} characters; a recipe has at most a few "
            f"thousand (at most {MAX_TEXT:,} are read)"
        )
    try:
        raw = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise ValueError(f"NAS-Bench-NLP cell is not valid JSON ({exc.msg} at char {exc.pos})") from None
    except RecursionError:
        raise ValueError("NAS-Bench-NLP cell is JSON nested too deeply; a recipe is {node: {op, input}}") from None
    if not isinstance(raw, dict) or not raw:
        raise ValueError("a NAS-Bench-NLP cell is a non-empty JSON object {node: {op, input}}")
    if len(raw) > MAX_PARSE_NODES:
        raise ValueError(
            f"NAS-Bench-NLP cell has {len(raw):,} nodes; the space's cells have at most "
            f"{MAX_PARSE_NODES}"
        )
    nodes: dict[str, Node] = {}
    for name, body in raw.items():
        if not name or name == "x" or _PREV.fullmatch(name):
            raise ValueError(f"node name {name[:40]!r} is reserved for the cell's inputs (x, h_prev_<k>)")
        if not isinstance(body, dict) or set(body) != {"op", "input"}:
            raise ValueError(f"node {name!r} must be an object with exactly the keys 'op' and 'input'")
        op, inputs = body["op"], body["input"]
        if op not in OPS:
            raise ValueError(f"node {name!r}: unknown op {op!r}; use one of {', '.join(OPS)}")
        if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
            raise ValueError(f"node {name!r}: 'input' must be a list of node names")
        lo, hi = ARITY[op]
        if not lo <= len(inputs) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise ValueError(f"node {name!r}: {op} takes {want} inputs, got {len(inputs)}")
        nodes[name] = Node(name, op, tuple(inputs))
    hidden = sorted(int(m[1]) for n in nodes if (m := _NEW.fullmatch(n)))
    if not hidden:
        raise ValueError("NAS-Bench-NLP cell has no output node h_new_0")
    k = len(hidden)
    if hidden != list(range(k)) or k > MAX_HIDDEN:
        raise ValueError(
            f"NAS-Bench-NLP cell outputs must be h_new_0 .. h_new_<k-1> with k <= {MAX_HIDDEN}; "
            f"got {', '.join(f'h_new_{h}' for h in hidden)}"
        )
    for node in nodes.values():
        for source in node.inputs:
            if source == "x" or source in nodes:
                continue
            match = _PREV.fullmatch(source)
            if match and int(match[1]) < k:
                continue
            hint = f" (the cell has {k} hidden state(s))" if match else ""
            raise ValueError(f"node {node.name!r}: input {source!r} is not a node or cell input{hint}")
    return RNNCell(tuple(_topological(nodes)), k)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"NAS-Bench-NLP cell names node {key!r} twice")
        seen[key] = value
    return seen


def _live(cell: RNNCell) -> list[Node]:
    """Nodes that feed some ``h_new_*`` (outputs included), in the cell's order."""
    by_name = {n.name: n for n in cell.nodes}
    keep = {n.name for n in cell.nodes if _NEW.fullmatch(n.name)}
    stack = list(keep)
    while stack:
        for source in by_name[stack.pop()].inputs:
            if source in by_name and source not in keep:
                keep.add(source)
                stack.append(source)
    return [n for n in cell.nodes if n.name in keep]


def _canonical_cell(cell: RNNCell) -> RNNCell:
    nodes = _live(cell)
    by_name = {n.name: n for n in nodes}
    # bottom-up structural hashes: an intermediate's name never matters, outputs keep theirs
    down: dict[str, str] = {"x": "x", **{f"h_prev_{j}": f"h_prev_{j}" for j in range(MAX_HIDDEN)}}
    for node in nodes:
        kids = [down[i] for i in node.inputs]
        if node.op in COMMUTATIVE:
            kids.sort()
        out = node.name if _NEW.fullmatch(node.name) else ""
        down[node.name] = _md5(f"{node.op}({','.join(kids)}){out}")
    # top-down refinement separates structurally equal nodes that are used differently
    label = {n.name: down[n.name] for n in nodes}
    for _ in range(len(nodes)):
        uses: dict[str, list[str]] = {n.name: [] for n in nodes}
        for node in nodes:
            for pos, source in enumerate(node.inputs):
                if source in uses:
                    slot = "" if node.op in COMMUTATIVE else str(pos)
                    uses[source].append(f"{label[node.name]}:{slot}")
        label = {name: _md5(down[name] + "|" + ",".join(sorted(u))) for name, u in uses.items()}
    order = _topological(by_name, key=lambda name: (label[name], _natural(name)))
    rename = {"x": "x", **{f"h_prev_{j}": f"h_prev_{j}" for j in range(MAX_HIDDEN)}}
    count = 0
    for node in order:
        if _NEW.fullmatch(node.name):
            rename[node.name] = node.name
        else:
            rename[node.name] = f"node_{count}"
            count += 1
    renamed = {}
    for node in order:
        inputs = [rename[i] for i in node.inputs]
        if node.op in COMMUTATIVE:
            inputs.sort(key=_natural)
        renamed[rename[node.name]] = Node(rename[node.name], node.op, tuple(inputs))
    return RNNCell(tuple(_topological(renamed)), cell.n_hidden)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class NLPSpace(SearchSpace):
    """NAS-Bench-NLP recurrent cells (see the module docstring)."""

    name = "nlp"
    encodings = ("opcount", "adjacency")

    def parse(self, text: str) -> RNNCell:
        return parse_cell(text)

    def format(self, arch: Any) -> str:
        if isinstance(arch, RNNCell):
            return format_cell(arch)
        if isinstance(arch, str):
            return format_cell(parse_cell(arch))
        raise TypeError(f"expected a NAS-Bench-NLP recipe string or RNNCell, got {type(arch).__name__}")

    def cell(self, arch: Any) -> RNNCell:
        return arch if isinstance(arch, RNNCell) else parse_cell(arch)

    def to_string(self, arch: Any) -> str:
        """The canonical string, so renamed or reordered spellings of a cell normalise alike."""
        return self.canonical(arch)

    def canonical(self, arch: Any) -> str:
        return format_cell(_canonical_cell(self.cell(arch)))

    # -- sampling and neighbours -----------------------------------------------------------------
    def sample(self, n: int, seed: int | None = None) -> list[str]:
        """``n`` random cells (canonical strings) from a simple generator: 1-3 hidden states, 1-10
        intermediate nodes with uniformly drawn ops and inputs. Not uniform over any space."""
        rng = np.random.default_rng(seed)
        return [self.canonical(_random_cell(rng)) for _ in range(int(n))]

    def neighbours(self, arch: Any) -> list[str]:
        """Canonical strings one op swap (same number of inputs) or one input rewiring away."""
        cell = self.cell(arch)
        own = self.canonical(cell)
        nodes = list(cell.nodes)
        out: dict[str, None] = {}

        def add(new_nodes: list[Node]) -> None:
            try:
                cand = self.canonical(format_cell(RNNCell(tuple(new_nodes), cell.n_hidden)))
            except ValueError:
                return
            if cand != own:
                out.setdefault(cand, None)

        sources = ["x", *(f"h_prev_{j}" for j in range(cell.n_hidden))]
        for i, node in enumerate(nodes):
            for op in OPS:
                lo, hi = ARITY[op]
                if op != node.op and lo <= len(node.inputs) <= hi:
                    add(nodes[:i] + [Node(node.name, op, node.inputs)] + nodes[i + 1 :])
            earlier = sources + [n.name for n in nodes[:i]]  # keeps the cell acyclic
            for pos in range(len(node.inputs)):
                for source in earlier:
                    if source != node.inputs[pos]:
                        inputs = node.inputs[:pos] + (source,) + node.inputs[pos + 1 :]
                        add(nodes[:i] + [Node(node.name, node.op, inputs)] + nodes[i + 1 :])
        return list(out)

    # -- encodings -------------------------------------------------------------------------------
    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Encode one arch or many (of the canonical cell).

        Encodings:
            ``opcount`` (10): number of nodes of each op (7), hidden states, nodes, edges.
            ``adjacency`` (720): vertices ``x, h_prev_0..4`` then up to 18 op nodes in canonical
                order; the 24 x 24 adjacency (flattened), a one-hot op per op vertex (18 x 7) and
                an "is h_new" flag per op vertex (18). Larger cells raise ``ValueError``.
        """
        enc = self.check_encoding(encoding)
        items, single = as_list(archs)
        fn = _opcount if enc == "opcount" else _adjacency
        out = np.stack([fn(_canonical_cell(self.cell(a))) for a in items]) if items else np.zeros((0, 0))
        return out[0] if single else out

    def to_graph(self, arch: Any) -> tuple[np.ndarray, np.ndarray]:
        """Vertices ``x``, the used ``h_prev_*`` and every live node of the canonical cell.

        Node features: one-hot over ``("x", "h_prev", *OPS)`` plus an "is h_new" flag (10).
        """
        cell = _canonical_cell(self.cell(arch))
        used = sorted({i for n in cell.nodes for i in n.inputs if _PREV.fullmatch(i)}, key=_natural)
        names = ["x", *used, *(n.name for n in cell.nodes)]
        index = {name: i for i, name in enumerate(names)}
        feats = np.zeros((len(names), 2 + len(OPS) + 1), dtype=np.float32)
        feats[0, 0] = 1.0
        for name in used:
            feats[index[name], 1] = 1.0
        for node in cell.nodes:
            feats[index[node.name], 2 + OPS.index(node.op)] = 1.0
            feats[index[node.name], -1] = float(bool(_NEW.fullmatch(node.name)))
        edges = [(index[s], index[n.name]) for n in cell.nodes for s in n.inputs]
        return feats, np.array(edges, dtype=np.int64).reshape(-1, 2).T


def _opcount(cell: RNNCell) -> np.ndarray:
    x = np.zeros(len(OPS) + 3, dtype=np.float32)
    for node in cell.nodes:
        x[OPS.index(node.op)] += 1.0
    x[len(OPS)] = cell.n_hidden
    x[len(OPS) + 1] = len(cell.nodes)
    x[len(OPS) + 2] = sum(len(n.inputs) for n in cell.nodes)
    return x


def _adjacency(cell: RNNCell) -> np.ndarray:
    if len(cell.nodes) > MAX_NODES:
        raise ValueError(
            f"the adjacency encoding holds {MAX_NODES} op nodes; this cell has {len(cell.nodes)} "
            "(use encoding='opcount')"
        )
    n_in = 1 + MAX_HIDDEN
    index = {"x": 0, **{f"h_prev_{j}": 1 + j for j in range(MAX_HIDDEN)}}
    index.update({node.name: n_in + i for i, node in enumerate(cell.nodes)})
    size = n_in + MAX_NODES
    adj = np.zeros((size, size), dtype=np.float32)
    ops = np.zeros((MAX_NODES, len(OPS)), dtype=np.float32)
    out = np.zeros(MAX_NODES, dtype=np.float32)
    for i, node in enumerate(cell.nodes):
        for source in node.inputs:
            adj[index[source], index[node.name]] = 1.0
        ops[i, OPS.index(node.op)] = 1.0
        out[i] = float(bool(_NEW.fullmatch(node.name)))
    return np.concatenate([adj.ravel(), ops.ravel(), out])


def _random_cell(rng: np.random.Generator) -> str:
    k = int(rng.integers(1, 4))
    values = ["x", *(f"h_prev_{j}" for j in range(k))]
    body: dict[str, dict[str, Any]] = {}
    names = [f"node_{i}" for i in range(int(rng.integers(1, 11)))] + [f"h_new_{j}" for j in range(k)]
    for name in names:
        op = OPS[int(rng.integers(len(OPS)))]
        lo, hi = ARITY[op]
        arity = int(rng.integers(lo, min(hi, 3) + 1))
        picks = rng.choice(len(values), size=arity, replace=arity > len(values))
        body[name] = {"op": op, "input": [values[int(p)] for p in picks]}
        values.append(name)
    return json.dumps(body)


SPACE = NLPSpace()
