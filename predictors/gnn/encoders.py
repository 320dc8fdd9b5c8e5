"""Graph encoders from torch-geometric layers, a readout, and the scoring model.

Encoders (``ENCODERS``) map a batch of architecture graphs to one vector per graph:

* ``"gin"``: ``GINConv`` layers (Xu et al. 2019), each with a 2-layer MLP;
* ``"gcn"``: ``GCNConv`` layers with self-loops (the NASLib / Wen et al. GCN predictor);
* ``"gat"``: ``GATConv`` layers, 4 heads averaged;
* ``"flow"``: directed and flow-aware, as in GATES (Ning et al. 2020) and FlowerFormer (Hwang et
  al. 2024): information flows along the DAG in topological order. ``FlowConv`` (a
  ``MessagePassing`` layer) updates the nodes of one depth at a time, each from its already
  updated predecessors, with gated messages and a GRU cell; a sweep from the sources to the sinks
  is followed by one in reverse (FlowerFormer's backward pass). ``layers`` counts sweep pairs.
* ``"flower"``: ``"flow"`` plus FlowerFormer's flow-aware global attention: after each sweep pair,
  a ``TransformerConv`` (4 heads) in which every node attends to the nodes it shares a path with
  (its ancestors and descendants, ``reachability_index``), added to the node state.

GIN, GCN and GAT see each DAG edge in both directions (a node hears its inputs and its
consumers); the flow encoder keeps directions. Node states start from a linear map of the node
features. The readout (``READOUTS``) is the mean over nodes, the sum, the mean over the sinks (the
output vertex, where the flow ends), or ``"mean+sink"`` (both, concatenated).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch_geometric.nn import (
    MLP,
    GATConv,
    GCNConv,
    GINConv,
    MessagePassing,
    TransformerConv,
    global_add_pool,
    global_mean_pool,
)
from torch_geometric.utils import degree, to_dense_adj, to_undirected

__all__ = ["ENCODERS", "READOUTS", "FlowConv", "GraphEncoder", "GNNModel", "flow_schedule",
           "reachability_index"]

#: what ``encoder=`` may be
ENCODERS = ("gin", "gcn", "gat", "flow", "flower")
#: what ``readout=`` may be
READOUTS = ("mean", "sum", "sink", "mean+sink")


class FlowConv(MessagePassing):
    """One sweep of messages along a DAG in topological order (GATES-style gated flow).

    Nodes of depth ``l = 1, 2, ...`` are updated in turn: node ``v`` receives
    ``sum_u sigmoid(W_g h_u) * (W_m h_u)`` from its predecessors ``u`` (already updated) and sets
    ``h_v = GRUCell(message, h_v)``; sources keep their state. With ``reverse=True`` the sweep runs
    from the sinks back to the sources over reversed edges (``level`` is then the depth counted
    from the sinks).

    Shapes:
        x: ``(n, channels)``; edge_index: ``(2, e)``; level: ``(n,)``; returns ``(n, channels)``.
    """

    def __init__(self, channels: int) -> None:
        super().__init__(aggr="add")
        self.gate = nn.Linear(channels, channels)
        self.lin = nn.Linear(channels, channels, bias=False)
        self.cell = nn.GRUCell(channels, channels)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, level: torch.Tensor,
                reverse: bool = False, schedule: list | None = None) -> torch.Tensor:
        if schedule is None:
            schedule = flow_schedule(edge_index.flip(0) if reverse else edge_index, level)
        h = x
        for nodes, edges in schedule:
            msg = self.propagate(edges, x=h, size=(h.size(0), h.size(0)))[nodes]
            h = h.index_copy(0, nodes, self.cell(msg, h[nodes]))
        return h

    def message(self, x_j: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.gate(x_j)) * self.lin(x_j)


def flow_schedule(edge_index: torch.Tensor, level: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The update order of a sweep: per depth ``1, 2, ...``, the nodes of that depth and the
    edges into them (``edge_index`` already oriented along the sweep).

    Shapes:
        edge_index: ``(2, e)``; level: ``(n,)``; returns ``[(nodes (k,), edges (2, m)), ...]``.
    """
    out = []
    depth = int(level.max()) if level.numel() else 0
    into = level[edge_index[1]]
    for step in range(1, depth + 1):
        out.append((torch.nonzero(level == step).squeeze(1), edge_index[:, into == step]))
    return out


def reachability_index(edge_index: torch.Tensor, batch: torch.Tensor, depth: int) -> torch.Tensor:
    """Every ordered pair ``(u, v)``, ``u != v``, joined by a directed path either way: the pairs
    FlowerFormer's attention may connect. ``batch`` assigns nodes to graphs (PyG's ``batch``
    vector); ``depth`` bounds the path length (the deepest level).

    Shapes:
        edge_index: ``(2, e)``; batch: ``(n,)``; returns ``(2, p)``, both directions of every pair.
    """
    adj = to_dense_adj(edge_index, batch).clamp_(max=1)  # (graphs, most nodes, most nodes)
    reach, step = adj, adj
    for _ in range(depth - 1):  # paths of length 2, 3, ...: the closure of a DAG of this depth
        step = torch.bmm(step, adj).clamp_(max=1)
        reach = torch.maximum(reach, step)
    graph, src, dst = reach.nonzero(as_tuple=True)
    sizes = torch.bincount(batch, minlength=adj.size(0))
    first = torch.cumsum(sizes, 0) - sizes  # each graph's first node in the batch
    pairs = torch.stack([first[graph] + src, first[graph] + dst])
    return torch.cat([pairs, pairs.flip(0)], dim=1)


class GraphEncoder(nn.Module):
    """Node features -> node states (``layers`` message-passing layers) -> one vector per graph.

    Args:
        kind: one of ``ENCODERS``.
        in_dim: node feature width.
        hidden: node state width.
        layers: message-passing layers (for ``"flow"``: forward + backward sweep pairs).
        readout: one of ``READOUTS``.
        dropout: dropout on node states between layers.

    Shapes:
        forward(batch) with ``batch.x (n, in_dim)``, ``batch.edge_index (2, e)``,
        ``batch.level (n,)``, ``batch.rlevel (n,)``, ``batch.batch (n,)``; returns
        ``(graphs, out_dim)``.
    """

    def __init__(self, kind: str, in_dim: int, hidden: int = 64, layers: int = 2,
                 readout: str = "mean+sink", dropout: float = 0.0) -> None:
        super().__init__()
        if kind not in ENCODERS:
            raise ValueError(f"encoder={kind!r}; use one of {', '.join(ENCODERS)}")
        if readout not in READOUTS:
            raise ValueError(f"readout={readout!r}; use one of {', '.join(READOUTS)}")
        if kind == "flower" and hidden % 4:
            raise ValueError(f"hidden={hidden}: the flower encoder's 4 attention heads need a "
                             "multiple of 4")
        self.kind, self.readout, self.dropout = kind, readout, dropout
        self.embed = nn.Linear(in_dim, hidden)
        self.convs = nn.ModuleList()
        for _ in range(layers):
            if kind == "gin":
                self.convs.append(GINConv(MLP([hidden, hidden, hidden], norm=None), train_eps=True))
            elif kind == "gcn":
                self.convs.append(GCNConv(hidden, hidden))
            elif kind == "gat":
                self.convs.append(GATConv(hidden, hidden, heads=4, concat=False))
            elif kind == "flow":
                self.convs.append(nn.ModuleList([FlowConv(hidden), FlowConv(hidden)]))
            else:
                attention = TransformerConv(hidden, hidden // 4, heads=4, concat=True)
                self.convs.append(nn.ModuleList([FlowConv(hidden), FlowConv(hidden), attention]))
        self.out_dim = hidden * (2 if readout == "mean+sink" else 1)

    def node_states(self, batch: Any) -> torch.Tensor:
        """``(n, hidden)`` node states after the message-passing layers."""
        h = self.embed(batch.x)
        if self.kind in ("flow", "flower"):
            down = flow_schedule(batch.edge_index, batch.level)
            up = flow_schedule(batch.edge_index.flip(0), batch.rlevel)
            reach = (reachability_index(batch.edge_index, batch.batch, depth=len(down))
                     if self.kind == "flower" else None)
            for fwd, bwd, *attention in self.convs:
                h = fwd(h, batch.edge_index, batch.level, schedule=down)
                h = bwd(h, batch.edge_index, batch.rlevel, reverse=True, schedule=up)
                if attention:
                    h = h + attention[0](h, reach)
                h = nn.functional.dropout(h, self.dropout, self.training)
            return h
        edge_index = to_undirected(batch.edge_index, num_nodes=h.size(0))
        for conv in self.convs:
            h = torch.relu(conv(h, edge_index)) + h  # residual: deep stacks on tiny graphs oversmooth
            h = nn.functional.dropout(h, self.dropout, self.training)
        return h

    def forward(self, batch: Any) -> torch.Tensor:
        h = self.node_states(batch)
        graphs = int(batch.num_graphs)
        parts = []
        if self.readout in ("mean", "mean+sink"):
            parts.append(global_mean_pool(h, batch.batch, graphs))
        if self.readout == "sum":
            parts.append(global_add_pool(h, batch.batch, graphs))
        if self.readout in ("sink", "mean+sink"):
            sink = degree(batch.edge_index[0], h.size(0)) == 0
            parts.append(global_mean_pool(h[sink], batch.batch[sink], graphs))
        return torch.cat(parts, dim=1)


class GNNModel(nn.Module):
    """A ``GraphEncoder`` and an MLP head: one score per graph.

    Per-graph extra features (``batch.u``, e.g. zero-cost proxies) are concatenated to the graph
    vector before the head when ``extra_dim > 0``.

    Shapes:
        forward(batch) returns ``(graphs,)``.
    """

    def __init__(self, encoder: GraphEncoder, extra_dim: int = 0, hidden: int = 64,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.encoder = encoder
        self.extra_dim = extra_dim
        self.head = MLP([encoder.out_dim + extra_dim, hidden, 1], dropout=dropout, norm=None)

    def forward(self, batch: Any) -> torch.Tensor:
        z = self.encoder(batch)
        if self.extra_dim:
            z = torch.cat([z, batch.u], dim=1)
        return self.head(z).squeeze(-1)
