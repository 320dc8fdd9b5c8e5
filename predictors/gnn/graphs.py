"""Architectures as torch-geometric graphs: ``to_pyg`` for one arch, ``to_pyg_list`` for many.

Every space with a graph form (``space.to_graph``) converts: NB201, TransNAS-Bench-101 micro and
macro, SpikeNAS, NB101, DARTS, NAS-Bench-Graph, NAS-Bench-Macro, EC-NAS, NAS-Bench-NLP, GraphGym,
MnasNet and NATS-sss. The space owns the wiring facts; this module only packs them::

    >>> from predictors.gnn import to_pyg
    >>> g = to_pyg("nb201", "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
    >>> g.x.shape, g.edge_index.shape, g.level.tolist()
    (torch.Size([8, 7]), torch.Size([2, 10]), [0, 1, 1, 2, 1, 2, 3, 4])

A graph is a ``torch_geometric.data.Data`` with

* ``x`` ``(v, f)`` float32: the space's node features (one-hot op kinds, plus any extra columns the
  space adds, e.g. DARTS's reduction-cell flag);
* ``edge_index`` ``(2, e)`` int64: directed edges, data flowing from ``edge_index[0]`` to
  ``edge_index[1]``;
* ``level`` ``(v,)`` int64: the node's depth in the DAG (longest path from a source), and
  ``rlevel`` the same counted from the sinks, which the flow encoder uses to pass messages in
  topological order, forwards and backwards;
* ``u`` ``(1, k)`` float32, only with ``extra=``: per-graph features (e.g. zero-cost proxies).

**Shared vocabulary** (``vocab="shared"``, for transfer across spaces as GENNAPE / AIO-P): the node
features of the spaces whose ops overlap (NB201, TransNAS micro, SpikeNAS, NB101, DARTS) are
re-expressed over one list of kinds, ``SHARED_KINDS``: input, output, none, skip, conv 1x1,
conv 3x3, conv 5x5, avg pool, max pool, (a DARTS reduction-cell flag). NB201's ``nor_conv_3x3`` and
NB101's ``conv3x3-bn-relu`` become the same column, so a model trained on one space reads the
other. Ops without a counterpart map to their nearest kind (``SHARED_OPS``; SpikeNAS's spiking
3x3 convolutions -> conv 3x3, DARTS's separable / dilated convolutions -> conv of their kernel).

Lists of graphs batch with ``torch_geometric.loader.DataLoader`` as usual. Bad input is refused
with a ``PredictorInputError`` that names the arch: an arch the space rejects (unknown op, wrong
length), a graph with no vertices, edges that point outside the graph, or a cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from predictors.base import PredictorInputError, resolve_space

__all__ = [
    "to_pyg", "to_pyg_list", "graph_arrays", "topological_levels", "has_graph", "node_kinds",
    "GRAPH_SPACES", "SHARED_KINDS", "SHARED_OPS", "VOCABS",
]

#: spaces with a graph form (``space.to_graph``) as shipped; ``has_graph`` asks the space itself
GRAPH_SPACES = (
    "darts", "ecnas", "graphgym", "mnasnet", "nats_sss", "nb101", "nb201", "nbgraph", "nbmacro",
    "nlp", "spikenas", "transnas_macro", "transnas_micro",
)

#: what ``vocab=`` may be
VOCABS = ("own", "shared")
#: the kinds of the shared vocabulary (the last column: 1 in a DARTS reduction cell)
SHARED_KINDS = ("input", "output", "none", "skip", "conv1x1", "conv3x3", "conv5x5", "avg_pool",
                "max_pool", "reduce")
#: op name of any space with a shared-vocabulary form -> its shared kind
SHARED_OPS = {
    "input": "input", "output": "output", "input0": "input", "input1": "input",
    "none": "none", "skip_connect": "skip",
    "nor_conv_1x1": "conv1x1", "nor_conv_3x3": "conv3x3", "avg_pool_3x3": "avg_pool",
    "conv1x1-bn-relu": "conv1x1", "conv3x3-bn-relu": "conv3x3", "maxpool3x3": "max_pool",
    "lif0.5_conv_3x3": "conv3x3", "lif1.0_conv_3x3": "conv3x3", "lif1.5_conv_3x3": "conv3x3",
    "max_pool_3x3": "max_pool", "sep_conv_3x3": "conv3x3", "sep_conv_5x5": "conv5x5",
    "dil_conv_3x3": "conv3x3", "dil_conv_5x5": "conv5x5",
}


def node_kinds(space: Any) -> tuple[str, ...]:
    """What the columns of ``space.to_graph``'s node features mean, for the spaces that have a
    shared-vocabulary form (NB201, TransNAS micro, SpikeNAS, NB101, DARTS).

    Raises:
        PredictorInputError: another space (its features have no shared form).
    """
    import importlib

    sp = resolve_space(space)
    mod = importlib.import_module(type(sp).__module__)
    if sp.name in ("nb201", "transnas_micro", "spikenas", "nb101"):
        kinds = getattr(mod, "KINDS", None) or ("input", "output", *mod.OPS)
        return tuple(kinds)
    if sp.name == "darts":
        return ("input0", "input1", "output", *mod.OPS, "reduce")
    raise PredictorInputError(
        f"the {sp.name} space has no shared-vocabulary form; vocab='shared' works for nb201, "
        "transnas_micro, spikenas, nb101 and darts (use vocab='own')"
    )


def _shared_map(space: Any) -> np.ndarray:
    """``(own columns, len(SHARED_KINDS))`` 0/1 matrix taking own features to shared ones."""
    kinds = node_kinds(space)
    m = np.zeros((len(kinds), len(SHARED_KINDS)), dtype=np.float32)
    for i, kind in enumerate(kinds):
        shared = "reduce" if kind == "reduce" else SHARED_OPS[kind]
        m[i, SHARED_KINDS.index(shared)] = 1.0
    return m


# (space name, arch key) -> (x, edge_index, level, rlevel); archs repeat across the protocol's fits
_CACHE: dict[tuple[str, Any], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
_CACHE_LIMIT = 300_000


def has_graph(space: Any) -> bool:
    """True if ``space`` (a name or ``SearchSpace``) has a graph form (``SearchSpace.has_graph``)."""
    return resolve_space(space).has_graph


def topological_levels(n_nodes: int, edge_index: np.ndarray) -> np.ndarray:
    """Depth of every node of a DAG: 0 for sources, else 1 + the deepest predecessor.

    Shapes:
        edge_index: ``(2, e)``; returns ``(n_nodes,)`` int64.

    Raises:
        ValueError: the graph has a cycle (it is not a DAG).
    """
    src, dst = edge_index
    indeg = np.bincount(dst, minlength=n_nodes)
    level = np.zeros(n_nodes, dtype=np.int64)
    order = sorted(range(len(src)), key=lambda k: src[k])
    succ: list[list[int]] = [[] for _ in range(n_nodes)]
    for k in order:
        succ[src[k]].append(int(dst[k]))
    frontier = [v for v in range(n_nodes) if indeg[v] == 0]
    seen = 0
    while frontier:
        v = frontier.pop()
        seen += 1
        for w in succ[v]:
            level[w] = max(level[w], level[v] + 1)
            indeg[w] -= 1
            if indeg[w] == 0:
                frontier.append(w)
    if seen != n_nodes:
        raise ValueError(f"the graph has a cycle ({n_nodes - seen} nodes on or after it); a DAG is needed")
    return level


def _key(space: Any, arch: Any) -> Any:
    if isinstance(arch, (str, int, np.integer)):
        return arch
    return space.to_string(arch)


def graph_arrays(space: Any, arch: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x, edge_index, level, rlevel)`` of ``arch`` as numpy arrays, checked and cached.

    Shapes:
        returns ``x (v, f)`` float32, ``edge_index (2, e)`` int64, ``level (v,)`` and
        ``rlevel (v,)`` int64.
    """
    sp = resolve_space(space)
    key = (sp.name, _key(sp, arch))
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    try:
        x, edge_index = sp.to_graph(arch)
    except NotImplementedError:
        raise PredictorInputError(
            f"the {sp.name} space has no graph form; GNN predictors need one of "
            f"{', '.join(GRAPH_SPACES)}"
        ) from None
    except (ValueError, TypeError, KeyError) as exc:
        raise PredictorInputError(
            f"arch {arch!r} is not a valid {sp.name} architecture ({exc})"
        ) from None
    x = np.asarray(x, dtype=np.float32)
    edge_index = np.asarray(edge_index, dtype=np.int64).reshape(2, -1)
    if x.ndim != 2 or x.shape[0] == 0:
        raise PredictorInputError(
            f"arch {arch!r} of {sp.name} gives an empty graph (node features of shape {x.shape}); "
            "a graph needs at least one vertex"
        )
    if edge_index.size and (edge_index.min() < 0 or edge_index.max() >= x.shape[0]):
        raise PredictorInputError(
            f"arch {arch!r} of {sp.name}: edge_index refers to vertex {int(edge_index.max())} but the "
            f"graph has {x.shape[0]} vertices (0..{x.shape[0] - 1})"
        )
    try:
        level = topological_levels(x.shape[0], edge_index)
        rlevel = topological_levels(x.shape[0], edge_index[::-1])
    except ValueError as exc:
        raise PredictorInputError(f"arch {arch!r} of {sp.name}: {exc}") from None
    if len(_CACHE) > _CACHE_LIMIT:
        _CACHE.clear()
    out = (x, edge_index, level, rlevel)
    _CACHE[key] = out
    return out


def to_pyg(space: Any, arch: Any, *, extra: Sequence[float] | np.ndarray | None = None,
           vocab: str = "own") -> Any:
    """One arch as a ``torch_geometric.data.Data`` (see the module docstring).

    Args:
        space: space name (``"nb201"``) or ``SearchSpace``.
        arch: the benchmark's string (or the space's object).
        extra: per-graph features stored as ``u`` with shape ``(1, k)`` (e.g. zero-cost proxies).
        vocab: ``"own"`` (the space's node features) or ``"shared"`` (``SHARED_KINDS``).
    """
    import torch
    from torch_geometric.data import Data

    if vocab not in VOCABS:
        raise PredictorInputError(f"vocab={vocab!r}; use one of {', '.join(VOCABS)}")
    x, edge_index, level, rlevel = graph_arrays(space, arch)
    if vocab == "shared":
        x = x @ _shared_map(space)
    data = Data(x=torch.from_numpy(x), edge_index=torch.from_numpy(edge_index),
                level=torch.from_numpy(level), rlevel=torch.from_numpy(rlevel), num_nodes=x.shape[0])
    if extra is not None:
        data.u = torch.as_tensor(np.asarray(extra, dtype=np.float32).reshape(1, -1))
    return data


def to_pyg_list(
    space: Any, archs: Sequence[Any], *, extra: np.ndarray | None = None, vocab: str = "own"
) -> list[Any]:
    """``[to_pyg(space, a) for a in archs]``, with row ``i`` of ``extra`` as graph ``i``'s ``u``.

    Shapes:
        extra: ``(len(archs), k)`` or None.
    """
    sp = resolve_space(space)
    if extra is not None and len(extra) != len(archs):
        raise PredictorInputError(f"extra has {len(extra)} rows for {len(archs)} archs; give one per arch")
    return [to_pyg(sp, a, extra=None if extra is None else extra[i], vocab=vocab)
            for i, a in enumerate(archs)]
