"""The NAS-Bench-Graph search space (Qin et al., NeurIPS 2022 Datasets and Benchmarks).

A GNN is a DAG of 4 *computing nodes*. Each node reads exactly one earlier tensor: the raw input
(``0``) or the output of computing node ``j`` (``1`` .. ``4``), and applies one of 9 operations::

    gat  gcn  gin  cheb  sage  arma  graph  fc  skip        (official op index 0 .. 8)

Nodes that feed no other node (*leaves*) are combined into the output. ``skip`` is the identity.
The proteins dataset was run on 5 ops only: ``gcn sage arma fc skip`` (``PROTEINS_OPS``).

Architecture string
-------------------
``"<links>|<ops>"``: the input of nodes 1..4 joined by ``-``, a ``|``, then their 4 ops joined by
``,``. Example: ``0-0-1-2|gcn,gat,sage,arma`` is ``n1 = gcn(x)``, ``n2 = gat(x)``,
``n3 = sage(n1)``, ``n4 = arma(n2)``, output from the leaves ``n3`` and ``n4``. Nodes may be listed
in any order (``1-0-...`` lets node 1 read node 2) as long as the links form no cycle; the official
``Arch(link, ops)`` uses the same two lists.

Isomorphism and the official key
--------------------------------
Many strings describe the same network. NAS-Bench-Graph trained one network per class and files its
results under an integer key (the official ``Arch.valid_hash``). ``canonical`` returns the class's
official representative and ``key`` its key; ``from_key`` goes back. The classes are those of this
equivalence, which reproduces the official reduction exactly (tested on all 157,464 topologically
listed strings and on the keys of every ``.bench`` file):

* relabelling the 4 nodes (the network is a rooted forest; the order of siblings does not matter);
* a ``skip`` node that feeds other nodes is dissolved: its readers read its input instead;
* a ``skip`` leaf marks its parent as an extra output term. It is dropped when it is its parent's
  only reader (the parent is then a leaf anyway) and when its parent is the raw input (the official
  reduction never feeds the raw input to the output);
* the freed node slots become a chain of ``skip`` nodes in front of the network.

The representative is written in one of the 9 official link patterns ``LINKS`` (the 9 rooted
forests of 4 nodes), with the ops of interchangeable nodes sorted by op index; its key is
``pattern_index * 10**4 + sum(op_index_k * 10**(3 - k))`` (base 10 = 9 ops + 1, the same for
proteins). There are 26,206 classes (``size``), 2,021 of them using only ``PROTEINS_OPS``. A network
whose 4 ops are all ``skip`` has no layer and is not in the space. ``to_string`` (used by
``Benchmark`` lookups) returns the canonical string, so a store answers for any spelling.

Usage::

    >>> from nasbench.spaces.nbgraph import SPACE as nbg
    >>> nbg.canonical("0-1-2-1|gcn,gin,fc,cheb")
    '0-1-1-2|gcn,gin,cheb,fc'
    >>> nbg.key("0-1-2-3|fc,gat,fc,gin"), nbg.from_key(87072)
    (87072, '0-1-2-3|fc,gat,fc,gin')
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Any

import numpy as np

from nasbench.spaces.base import SearchSpace, as_list

#: the 9 operations in official index order (the digit of the key)
OPS: tuple[str, ...] = ("gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip")
#: the ops the proteins dataset was run with (a subset of ``OPS``)
PROTEINS_OPS: tuple[str, ...] = ("gcn", "sage", "arma", "fc", "skip")
#: the 9 official link patterns, in key order (the leading digit of the key)
LINKS: tuple[tuple[int, ...], ...] = (
    (0, 0, 0, 0),
    (0, 0, 0, 1),
    (0, 0, 1, 1),
    (0, 0, 1, 2),
    (0, 0, 1, 3),
    (0, 1, 1, 1),
    (0, 1, 1, 2),
    (0, 1, 2, 2),
    (0, 1, 2, 3),
)
N_NODES = 4
#: base of the official key (number of ops + 1)
KEY_BASE = len(OPS) + 1
#: number of isomorphism classes (architectures) in the full space and on proteins
N_CLASSES = 26_206
N_CLASSES_PROTEINS = 2_021

_OP_ID = {op: i for i, op in enumerate(OPS)}
_LINK_ID = {lk: i for i, lk in enumerate(LINKS)}
_SKIP = _OP_ID["skip"]


@dataclass(frozen=True)
class GraphArch:
    """One NAS-Bench-Graph network: the input of each computing node and its op.

    Attributes:
        links: 4 ints; ``links[i]`` is the node computing node ``i + 1`` reads (0 = raw input).
        ops: 4 op names from ``OPS``.
    """

    links: tuple[int, ...]
    ops: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "links", tuple(int(v) for v in self.links))
        object.__setattr__(self, "ops", tuple(self.ops))
        _check(self.links, self.ops, str(self))

    def __str__(self) -> str:
        return format_arch(self)

    @property
    def op_ids(self) -> tuple[int, ...]:
        """Official op indices of the 4 nodes."""
        return tuple(_OP_ID[op] for op in self.ops)


def format_arch(arch: GraphArch) -> str:
    return "-".join(str(v) for v in arch.links) + "|" + ",".join(arch.ops)


def _check(links: tuple[int, ...], ops: tuple[str, ...], text: str) -> None:
    if len(links) != N_NODES:
        raise ValueError(
            f"NAS-Bench-Graph arch {text!r}: {len(links)} links; expected {N_NODES} (one input per node)"
        )
    if len(ops) != N_NODES:
        raise ValueError(f"NAS-Bench-Graph arch {text!r}: {len(ops)} ops; expected {N_NODES}")
    for node, src in enumerate(links, start=1):
        if not 0 <= src <= N_NODES:
            raise ValueError(
                f"NAS-Bench-Graph arch {text!r}: node {node} reads {src}; use 0 (raw input) "
                f"or another node 1..{N_NODES}"
            )
        if src == node:
            raise ValueError(f"NAS-Bench-Graph arch {text!r}: node {node} reads itself")
    for node in range(1, N_NODES + 1):
        seen, v = set(), node
        while v:
            if v in seen:
                raise ValueError(
                    f"NAS-Bench-Graph arch {text!r}: the links form a cycle through node {node}"
                )
            seen.add(v)
            v = links[v - 1]
    for op in ops:
        if op not in _OP_ID:
            raise ValueError(
                f"NAS-Bench-Graph arch {text!r}: unknown op {op!r}; use one of {', '.join(OPS)}"
            )
    if all(op == "skip" for op in ops):
        raise ValueError(
            f"NAS-Bench-Graph arch {text!r}: all 4 ops are 'skip', a network without layers "
            "(not in the space)"
        )


def parse_arch(text: str) -> GraphArch:
    """Parse ``"0-0-1-2|gcn,gat,sage,arma"``; a malformed string raises ``ValueError``."""
    if not isinstance(text, str):
        raise ValueError(
            "a NAS-Bench-Graph arch is a string like '0-0-1-2|gcn,gat,sage,arma', "
            f"got {type(text).__name__}"
        )
    parts = text.split("|")
    if len(parts) != 2:
        raise ValueError(
            f"NAS-Bench-Graph arch {text!r}: expected '<links>|<ops>' with one '|', "
            "e.g. '0-0-1-2|gcn,gat,sage,arma'"
        )
    link_text, op_text = parts
    links = []
    for tok in link_text.split("-"):
        if not tok.isdigit():
            raise ValueError(
                f"NAS-Bench-Graph arch {text!r}: link part {link_text!r} must be 4 node numbers "
                "joined by '-', e.g. '0-0-1-2'"
            )
        links.append(int(tok))
    return GraphArch(tuple(links), tuple(op_text.split(",")))


# -- canonical form ---------------------------------------------------------------------------------
@cache
def _layouts(links: tuple[int, ...]) -> tuple[int, tuple[tuple[int, ...], ...]]:
    """For a forest given by ``links``: its pattern index in ``LINKS`` and every relabelling that
    writes it in that pattern (``perm[i]`` = new position of node ``i + 1``)."""
    found: list[tuple[int, ...]] = []
    pattern = -1
    for perm in itertools.permutations(range(N_NODES)):
        new = [0] * N_NODES
        for i, src in enumerate(links):
            new[perm[i]] = perm[src - 1] + 1 if src else 0
        lk = _LINK_ID.get(tuple(new))
        if lk is not None:
            pattern = lk
            found.append(perm)
    return pattern, tuple(found)


def _reduce(
    links: tuple[int, ...], op_ids: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The 4-node network left after dissolving redundant ``skip`` nodes (module docstring),
    listed pads first, then depth-first."""
    skip = [o == _SKIP for o in op_ids]
    has_reader = [False] * (N_NODES + 1)
    for src in links:
        has_reader[src] = True

    def effective(src: int) -> int:
        while src and skip[src - 1]:
            src = links[src - 1]
        return src

    readers: dict[int, list[int]] = {0: []}
    extra: dict[int, int] = {0: 0}
    for node in range(1, N_NODES + 1):
        if not skip[node - 1]:
            readers[node] = []
            extra[node] = 0
    for node in range(1, N_NODES + 1):
        src = effective(links[node - 1])
        if not skip[node - 1]:
            readers[src].append(node)
        elif not has_reader[node]:
            extra[src] += 1
    extra[0] = 0
    for node in readers:
        if node and not readers[node] and extra[node] == 1:
            extra[node] = 0
    pads = N_NODES - (len(readers) - 1) - sum(extra.values())
    new_links = list(range(pads))  # node k + 1 reads node k: a chain of identities
    new_ops = [_SKIP] * pads

    def place(node: int, src: int) -> None:
        new_links.append(src)
        new_ops.append(op_ids[node - 1])
        me = len(new_links)
        new_links.extend([me] * extra[node])
        new_ops.extend([_SKIP] * extra[node])
        for child in readers[node]:
            place(child, me)

    for child in readers[0]:
        place(child, pads)
    return tuple(new_links), tuple(new_ops)


@lru_cache(maxsize=1 << 18)
def _canonical_ids(links: tuple[int, ...], op_ids: tuple[int, ...]) -> tuple[int, tuple[int, ...]]:
    """(pattern index, op ids) of the class representative."""
    red_links, red_ops = _reduce(links, op_ids)
    pattern, perms = _layouts(red_links)
    best: tuple[int, ...] | None = None
    for perm in perms:
        ops = [0] * N_NODES
        for i, o in enumerate(red_ops):
            ops[perm[i]] = o
        cand = tuple(ops)
        if best is None or cand < best:
            best = cand
    assert best is not None
    return pattern, best


def _key_of(pattern: int, op_ids: Sequence[int]) -> int:
    key = pattern
    for o in op_ids:
        key = key * KEY_BASE + o
    return key


class NBGraphSpace(SearchSpace):
    """The NAS-Bench-Graph space (see the module docstring)."""

    name = "nbgraph"
    has_official_index = True
    size = N_CLASSES
    encodings = ("onehot", "adjacency", "ordinal")

    def parse(self, text: str) -> GraphArch:
        return parse_arch(text)

    def format(self, arch: Any) -> str:
        return format_arch(self.arch(arch))

    def arch(self, arch: Any) -> GraphArch:
        """A ``GraphArch`` from a string, a ``GraphArch`` or an official key (int)."""
        if isinstance(arch, GraphArch):
            return arch
        if isinstance(arch, (int, np.integer)) and not isinstance(arch, bool):
            return parse_arch(self.from_key(int(arch)))
        if isinstance(arch, str):
            return parse_arch(arch)
        raise TypeError(
            f"expected a NAS-Bench-Graph string, GraphArch or key, got {type(arch).__name__}"
        )

    def to_string(self, arch: Any) -> str:
        """The canonical string of ``arch``: NAS-Bench-Graph files every network under its class,
        so every member normalises to the class representative (a ``Benchmark`` therefore finds
        any isomorphic spelling). ``format`` keeps the spelling as given."""
        return self.canonical(arch)

    # -- identity --------------------------------------------------------------------------------
    def _canonical_arch(self, arch: Any) -> GraphArch:
        a = self.arch(arch)
        pattern, op_ids = _canonical_ids(a.links, a.op_ids)
        return GraphArch(LINKS[pattern], tuple(OPS[o] for o in op_ids))

    def canonical(self, arch: Any) -> str:
        """The official representative of ``arch``'s class (the arch its key decodes to)."""
        return format_arch(self._canonical_arch(arch))

    def key(self, arch: Any) -> int:
        """The official key (``Arch.valid_hash``) under which the ``.bench`` files store ``arch``."""
        a = self.arch(arch)
        return _key_of(*_canonical_ids(a.links, a.op_ids))

    def index(self, arch: Any) -> int:
        """The official index of NAS-Bench-Graph: the key (see ``key``)."""
        return self.key(arch)

    def arch_at(self, index: int) -> str:
        """The canonical arch string of an official key (see ``from_key``)."""
        return self.from_key(index)

    def from_key(self, key: int) -> str:
        """The canonical arch string of an official key.

        Raises:
            ValueError: the key is not one of the 26,206 canonical keys (names what is wrong).
        """
        if isinstance(key, bool) or not isinstance(key, (int, np.integer)):
            raise ValueError(f"a NAS-Bench-Graph key is an int like 87072, got {key!r}")
        key = int(key)
        if not 0 <= key < len(LINKS) * KEY_BASE**N_NODES:
            raise ValueError(
                f"NAS-Bench-Graph key {key} out of range; keys run from 0 to "
                f"{len(LINKS) * KEY_BASE**N_NODES - 1}"
            )
        digits = []
        rest = key
        for _ in range(N_NODES):
            rest, d = divmod(rest, KEY_BASE)
            digits.append(d)
        op_ids = tuple(reversed(digits))
        if KEY_BASE - 1 in op_ids:
            raise ValueError(
                f"NAS-Bench-Graph key {key}: op digit 9 does not exist; op indices run 0..8"
            )
        arch = GraphArch(LINKS[rest], tuple(OPS[o] for o in op_ids))
        canon = self.key(arch)
        if canon != key:
            raise ValueError(
                f"NAS-Bench-Graph key {key} ({arch}) is not canonical; its class has key {canon}"
            )
        return format_arch(arch)

    # -- enumeration and sampling ----------------------------------------------------------------
    @cached_property
    def _classes(self) -> tuple[str, ...]:
        return tuple(self.classes())

    def classes(self, ops: Sequence[str] | None = None) -> list[str]:
        """Canonical strings of every class whose ops all lie in ``ops`` (default: all 9), in key
        order. ``classes(PROTEINS_OPS)`` gives the 2,021 proteins architectures."""
        allowed = OPS if ops is None else tuple(ops)
        for op in allowed:
            if op not in _OP_ID:
                raise ValueError(f"unknown NAS-Bench-Graph op {op!r}; use one of {', '.join(OPS)}")
        ids = sorted(_OP_ID[op] for op in set(allowed))
        out = []
        for pattern, links in enumerate(LINKS):
            for op_ids in itertools.product(ids, repeat=N_NODES):
                if all(o == _SKIP for o in op_ids):
                    continue
                if _canonical_ids(links, op_ids) == (pattern, op_ids):
                    out.append((_key_of(pattern, op_ids), links, op_ids))
        out.sort()
        return [format_arch(GraphArch(lk, tuple(OPS[o] for o in ops_))) for _, lk, ops_ in out]

    def enumerate(self) -> Iterator[str]:
        """The 26,206 canonical architectures in official key order."""
        return iter(self._classes)

    def sample(
        self, n: int, seed: int | None = None, *, ops: Sequence[str] | None = None
    ) -> list[str]:
        """``n`` classes drawn uniformly (with replacement), as canonical strings.

        ``ops=PROTEINS_OPS`` draws from the 2,021 proteins architectures.
        """
        pool = self._classes if ops is None else self.classes(ops)
        idx = np.random.default_rng(seed).integers(0, len(pool), size=int(n))
        return [pool[i] for i in idx]

    def neighbours(self, arch: Any) -> list[str]:
        """Canonical classes one mutation away: change one node's op or one node's input.

        Mutations are applied to the canonical form; results equal to ``arch``'s class or without
        any layer are dropped; the list is sorted by key.
        """
        base = self._canonical_arch(arch)
        own = self.key(base)
        found: dict[int, str] = {}
        for node in range(N_NODES):
            for op in OPS:
                if op != base.ops[node]:
                    self._add_mutant(
                        found, base.links, base.ops[:node] + (op,) + base.ops[node + 1 :]
                    )
            for src in range(N_NODES + 1):
                if src not in (node + 1, base.links[node]):
                    links = base.links[:node] + (src,) + base.links[node + 1 :]
                    self._add_mutant(found, links, base.ops)
        found.pop(own, None)
        return [found[k] for k in sorted(found)]

    def _add_mutant(
        self, found: dict[int, str], links: tuple[int, ...], ops: tuple[str, ...]
    ) -> None:
        try:
            a = GraphArch(links, ops)
        except ValueError:  # a cycle or all-skip: not an architecture
            return
        pattern, op_ids = _canonical_ids(a.links, a.op_ids)
        found.setdefault(
            _key_of(pattern, op_ids),
            format_arch(GraphArch(LINKS[pattern], tuple(OPS[o] for o in op_ids))),
        )

    # -- encodings -------------------------------------------------------------------------------
    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Encode one arch or many; every encoding is of the canonical form, so isomorphic archs
        get identical rows.

        Encodings:
            ``onehot`` (52): per node, one-hot of its input (0..3; canonical links satisfy
                ``link[i] <= i``) then one-hot of its op (9): 4 x 4 + 4 x 9.
            ``adjacency`` (72): 6 x 6 adjacency over (input, nodes 1-4, output) flattened, leaves
                wired to the output, then the 4 x 9 op one-hot.
            ``ordinal`` (8): the 4 links and the 4 op indices, for tree models.
        """
        enc = self.check_encoding(encoding)
        items, single = as_list(archs)
        fn = {"onehot": self._onehot, "adjacency": self._adjacency, "ordinal": self._ordinal}[enc]
        out = np.stack([fn(self._canonical_arch(a)) for a in items]) if items else np.zeros((0, 0))
        return out[0] if single else out

    @staticmethod
    def _op_onehot(a: GraphArch) -> np.ndarray:
        x = np.zeros((N_NODES, len(OPS)), dtype=np.float32)
        x[np.arange(N_NODES), a.op_ids] = 1.0
        return x.ravel()

    def _onehot(self, a: GraphArch) -> np.ndarray:
        links = np.zeros((N_NODES, N_NODES), dtype=np.float32)
        links[np.arange(N_NODES), a.links] = 1.0
        return np.concatenate([links.ravel(), self._op_onehot(a)])

    def _adjacency(self, a: GraphArch) -> np.ndarray:
        _, edges = _edges(a)
        adj = np.zeros((N_NODES + 2, N_NODES + 2), dtype=np.float32)
        adj[edges[0], edges[1]] = 1.0
        return np.concatenate([adj.ravel(), self._op_onehot(a)])

    @staticmethod
    def _ordinal(a: GraphArch) -> np.ndarray:
        return np.array([*a.links, *a.op_ids], dtype=np.float32)

    def to_graph(self, arch: Any) -> tuple[np.ndarray, np.ndarray]:
        """The canonical network as a graph: vertices input (0), nodes 1-4, output (5).

        Node features are one-hot over ``("input", "output", *OPS)``; edges run from each node's
        input to the node and from every leaf to the output.
        """
        a = self._canonical_arch(arch)
        kinds = ("input", "output", *OPS)
        feats = np.zeros((N_NODES + 2, len(kinds)), dtype=np.float32)
        feats[0, 0] = feats[N_NODES + 1, 1] = 1.0
        for i, op in enumerate(a.ops, start=1):
            feats[i, kinds.index(op)] = 1.0
        return feats, _edges(a)[1]


def _edges(a: GraphArch) -> tuple[list[int], np.ndarray]:
    leaves = [n for n in range(1, N_NODES + 1) if n not in a.links]
    arcs = [(src, n) for n, src in enumerate(a.links, start=1)]
    arcs += [(n, N_NODES + 1) for n in leaves]
    return leaves, np.array(arcs, dtype=np.int64).T


SPACE = NBGraphSpace()
