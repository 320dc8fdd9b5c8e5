"""Unsupervised pretraining of a graph encoder on unlabelled archs (graph autoencoder).

As GMAE-NAS / arch2vec, the encoder is first trained to *describe* architectures, using archs of
the space without any accuracy (all 15,625 NB201 cells are free to use), and then fine-tuned on
the few labelled ones (``GNNPredictor(pretrain="ae")``). Two reconstruction terms:

* **ops from the graph vector**: a decoder sees only the graph vector ``z`` of the encoder and each
  vertex's position (its depth from the sources and from the sinks, in- and out-degree) and must
  rebuild the vertex's features (binary cross-entropy over the feature columns). The graph vector
  must therefore tell the archs apart, which is what a predictor head needs from it.
* **edges from the node states**: PyG's ``GAE`` inner-product decoder with negative sampling
  (spaces whose wiring varies, e.g. NB101).

The pretrained encoder depends on the space and the encoder's shape only, not on the labelled
archs, so it is computed once per process and configuration (seed 0, ``pretrain_archs`` archs
drawn with ``space.sample(n, seed=0)``, or every arch of a space that has no more) and reused by
every fit: a protocol's seeds share it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["pretrained_encoder_state", "pretrain_encoder", "unlabelled_archs"]

_STATES: dict[tuple, dict[str, Any]] = {}
_POS_CAP = 8  # positions (depths, degrees) are one-hot, capped at this value


def unlabelled_archs(space: Any, n: int) -> list[Any]:
    """``n`` archs of ``space`` (``space.sample(n, seed=0)``), or all of them if it has at most ``n``."""
    size = getattr(space, "size", None)
    if isinstance(size, (int, np.integer)) and size <= n:
        try:
            return list(space.enumerate())
        except NotImplementedError:
            pass
    return list(space.sample(int(n), seed=0))


def _positions(batch: Any) -> Any:
    """``(n, 4 * _POS_CAP)`` one-hot depth, reverse depth, in- and out-degree of every vertex."""
    import torch
    from torch_geometric.utils import degree

    n = batch.x.size(0)
    cols = [
        batch.level,
        batch.rlevel,
        degree(batch.edge_index[1], n).long(),
        degree(batch.edge_index[0], n).long(),
    ]
    return torch.cat(
        [torch.nn.functional.one_hot(c.clamp(max=_POS_CAP - 1), _POS_CAP).float() for c in cols], 1
    )


def pretrain_encoder(encoder: Any, graphs: list[Any], *, epochs: int = 20, batch_size: int = 128,
                     learning_rate: float = 2e-3, seed: int = 0) -> dict[str, float]:
    """Train ``encoder`` (a ``GraphEncoder``, in place) as a graph autoencoder on ``graphs``.

    Returns ``{"ops_loss": ..., "edge_loss": ...}`` of the last epoch (mean per batch).
    """
    import torch
    from torch_geometric.data import Batch
    from torch_geometric.nn import GAE, MLP

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    in_dim = graphs[0].x.shape[1]
    hidden = encoder.embed.out_features
    decoder = MLP([encoder.out_dim + 4 * _POS_CAP, hidden, in_dim], norm=None)
    gae = GAE(encoder)  # for its inner-product edge decoder and negative-sampling loss
    opt = torch.optim.AdamW(list(encoder.parameters()) + list(decoder.parameters()), lr=learning_rate)
    last = {"ops_loss": float("nan"), "edge_loss": float("nan")}
    for _ in range(int(epochs)):
        encoder.train()
        order = torch.randperm(len(graphs), generator=gen).tolist()
        sums = np.zeros(2)
        steps = 0
        for i in range(0, len(order), batch_size):
            batch = Batch.from_data_list([graphs[j] for j in order[i : i + batch_size]])
            nodes = encoder.node_states(batch)
            z = encoder(batch)
            logits = decoder(torch.cat([z[batch.batch], _positions(batch)], 1))
            ops_loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, batch.x.clamp(0, 1))
            edge_loss = gae.recon_loss(nodes, batch.edge_index) if batch.edge_index.numel() else ops_loss * 0
            loss = ops_loss + 0.1 * edge_loss
            opt.zero_grad()
            loss.backward()
            opt.step()
            sums += [float(ops_loss.detach()), float(edge_loss.detach())]
            steps += 1
        last = {"ops_loss": sums[0] / steps, "edge_loss": sums[1] / steps}
    return last


def pretrained_encoder_state(model: Any, in_dim: int) -> dict[str, Any]:
    """The encoder weights pretrained for ``model``'s (a ``GNNPredictor``) space and encoder shape.

    Computed on first use and cached per process (see the module docstring).
    """
    import copy

    from predictors.base import resolve_space
    from predictors.gnn.encoders import GraphEncoder
    from predictors.gnn.graphs import to_pyg_list

    space = resolve_space(model.space, model.bench)
    key = (space.name, model.encoder, model.hidden, model.layers, model.readout, model.dropout,
           int(model.pretrain_archs), int(model.pretrain_epochs), in_dim)
    state = _STATES.get(key)
    if state is None:
        import torch

        # the caller's random stream must not depend on whether this was cached
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            encoder = GraphEncoder(model.encoder, in_dim, hidden=model.hidden, layers=model.layers,
                                   readout=model.readout, dropout=model.dropout)
            graphs = to_pyg_list(space, unlabelled_archs(space, int(model.pretrain_archs)))
            pretrain_encoder(encoder, graphs, epochs=model.pretrain_epochs, seed=0)
        state = _STATES[key] = copy.deepcopy(encoder.state_dict())
    return state
