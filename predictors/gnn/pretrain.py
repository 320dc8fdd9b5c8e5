"""Pretraining of a graph encoder on unlabelled archs: graph autoencoder or data-free proxies.

As GMAE-NAS / arch2vec, the encoder is first trained to *describe* architectures, using archs of
the space without any accuracy (all 15,625 NB201 cells are free to use), and then fine-tuned on
the few labelled ones (``GNNPredictor(pretrain="ae")``). Two reconstruction terms:

* **ops from the graph vector**: a decoder sees only the graph vector ``z`` of the encoder and each
  vertex's position (its depth from the sources and from the sinks, in- and out-degree) and must
  rebuild the vertex's features (binary cross-entropy over the feature columns). The graph vector
  must therefore tell the archs apart, which is what a predictor head needs from it.
* **edges from the node states**: PyG's ``GAE`` inner-product decoder with negative sampling
  (spaces whose wiring varies, e.g. NB101).

``pretrain="zc"`` instead trains the encoder to predict **data-free zero-cost proxies** of the
archs, as FGP trains it to reconstruct a "flow surrogate" of each network: proxies the toolkit
computed on the untrained torch network from synthetic inputs only (``DATA_FREE_PROXIES``: AZ-NAS's
three Gaussian-noise components, synflow's all-ones input, Zen's Gaussian batches, parameter and
FLOP counts), so the pretraining reads neither the dataset's images nor any accuracy. The targets
are the normal scores of each proxy's ranks over the pretraining archs (missing values masked out
of a mean-squared loss); they come from the space's proxy store (``pretrain_bench``, default
``<space>_zc``, built by ``nasbench proxies``), so only spaces with such a table can use it.

The pretrained encoder depends on the space and the encoder's shape only, not on the labelled
archs, so it is computed once per process and configuration (seed 0, ``pretrain_archs`` archs
drawn with ``space.sample(n, seed=0)``, or every arch of a space that has no more) and reused by
every fit: a protocol's seeds share it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["DATA_FREE_PROXIES", "pretrained_encoder_state", "pretrain_encoder",
           "pretrain_on_proxies", "proxy_targets", "unlabelled_archs"]

#: proxies whose networks see no image of the dataset (synthetic inputs or none): a pretraining
#: target that needs neither data nor labels
DATA_FREE_PROXIES = ("az_nas.expressivity", "az_nas.progressivity", "az_nas.trainability",
                     "synflow", "zen", "params", "flops")

_STATES: dict[tuple, dict[str, Any]] = {}
#: fewer unlabelled archs than this is no pretraining set (a table whose run has barely begun)
MIN_PRETRAIN_ARCHS = 100
#: (archs, epochs) when a GNNPredictor leaves them None, per pretraining mode (None archs: all)
PRETRAIN_DEFAULTS: dict[str, tuple[int | None, int]] = {"ae": (5000, 20), "zc": (None, 100)}
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


def proxy_targets(space: Any, store: Any, proxies: Any, n: int | None = None,
                  merge_isomorphic: bool = True) -> tuple[list[Any], np.ndarray, list[str]]:
    """Up to ``n`` archs (None: all) of the proxy ``store`` and the normal scores of their
    proxies' ranks.

    With ``merge_isomorphic`` every arch is replaced by its isomorphism class's representative
    and each class kept once (its members share their proxy values when the table was fanned out
    from the representatives). Archs are drawn with seed 0 among those with at least one finite
    proxy. Returns ``(archs, targets (m, k) with NaN where a proxy is missing, metric names)``.
    """
    from nasbench.vocab import is_zc_metric
    from predictors.base import PredictorInputError, open_bench, proxy_names, zc_metric
    from predictors.metrics import normal_scores

    b = open_bench(store)
    if space.name != b.space_name:
        raise PredictorInputError(
            f"pretrain_bench {b.name!r} holds {b.space_name} archs, not {space.name}; use "
            f"the {space.name} proxy store"
        )
    dataset = next((d for d in b.datasets if any(map(is_zc_metric, b.metrics(d)))), None)
    if dataset is None:
        raise PredictorInputError(f"{b.name} has no zero-cost proxy columns (zc/*) to pretrain on")
    names = proxy_names(b, dataset, [zc_metric(p) for p in proxies])
    values = np.column_stack([np.asarray(b.values(dataset, m), dtype=np.float64) for m in names])
    values[~np.isfinite(values)] = np.nan
    rows = np.flatnonzero(np.isfinite(values).any(axis=1))
    archs = [b.archs[i] for i in rows]
    if merge_isomorphic:
        reps = [space.canonical(a) for a in archs]
        seen: dict[str, int] = {}
        for pos, (arch, rep) in enumerate(zip(archs, reps)):
            # the representative's own row where it has one: params / flops differ in a class
            if str(rep) not in seen or str(arch) == str(rep):
                seen[str(rep)] = pos
        keep = sorted(seen.values())
        rows, archs = rows[keep], [reps[i] for i in keep]
    if len(rows) < MIN_PRETRAIN_ARCHS:
        raise PredictorInputError(
            f"{b.name} has the proxies {', '.join(names)} for {len(rows)} "
            f"{'classes' if merge_isomorphic else 'archs'}; pretrain='zc' needs at least "
            f"{MIN_PRETRAIN_ARCHS}: extend the table with `nasbench proxies {space.name} ...`"
        )
    if n is not None and len(rows) > n:
        pick = np.sort(np.random.default_rng(0).choice(len(rows), size=int(n), replace=False))
        rows, archs = rows[pick], [archs[i] for i in pick]
    values = values[rows]
    targets = np.full(values.shape, np.nan)
    for j in range(values.shape[1]):
        ok = np.isfinite(values[:, j])
        if ok.sum() > 1:
            targets[ok, j] = normal_scores(values[ok, j])
    return archs, targets, names


def pretrain_on_proxies(encoder: Any, graphs: list[Any], targets: np.ndarray, *, epochs: int = 20,
                        batch_size: int = 128, learning_rate: float = 2e-3,
                        seed: int = 0) -> dict[str, float]:
    """Train ``encoder`` (in place) and a throw-away MLP head to predict ``targets`` from ``graphs``.

    ``targets`` is ``(len(graphs), k)``; NaN entries are left out of the mean-squared loss.
    Returns ``{"proxy_loss": ...}`` of the last epoch (mean per batch).
    """
    import torch
    from torch_geometric.data import Batch
    from torch_geometric.nn import MLP

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    hidden = encoder.embed.out_features
    head = MLP([encoder.out_dim, hidden, targets.shape[1]], norm=None)
    opt = torch.optim.AdamW(list(encoder.parameters()) + list(head.parameters()), lr=learning_rate)
    target = torch.as_tensor(np.nan_to_num(targets), dtype=torch.float32)
    mask = torch.as_tensor(np.isfinite(targets), dtype=torch.float32)
    last = float("nan")
    for _ in range(int(epochs)):
        encoder.train()
        order = torch.randperm(len(graphs), generator=gen)
        total, steps = 0.0, 0
        for i in range(0, len(order), batch_size):
            idx = order[i : i + batch_size]
            batch = Batch.from_data_list([graphs[j] for j in idx.tolist()])
            err = (head(encoder(batch)) - target[idx]) ** 2 * mask[idx]
            loss = err.sum() / mask[idx].sum().clamp_min(1.0)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach())
            steps += 1
        last = total / steps
    return {"proxy_loss": last}


def pretrained_encoder_state(model: Any, in_dim: int) -> dict[str, Any]:
    """The encoder weights pretrained for ``model``'s (a ``GNNPredictor``) space and encoder shape.

    Computed on first use and cached per process (see the module docstring).
    """
    import copy

    from predictors.base import resolve_space
    from predictors.gnn.encoders import GraphEncoder
    from predictors.gnn.graphs import to_pyg_list

    space = resolve_space(model.space, model.bench)
    n_archs, epochs = PRETRAIN_DEFAULTS[model.pretrain]
    if model.pretrain_archs is not None:
        n_archs = int(model.pretrain_archs)
    epochs = int(epochs if model.pretrain_epochs is None else model.pretrain_epochs)
    proxies = tuple(model.pretrain_proxies or DATA_FREE_PROXIES)
    store = model.pretrain_bench or f"{space.name}_zc"
    # what the zc targets depend on beyond the encoder's shape (the autoencoder reads none of it)
    targets_from = ((proxies, str(store), bool(model.merge_isomorphic))
                    if model.pretrain == "zc" else None)
    key = (space.name, model.pretrain, model.encoder, model.hidden, model.layers, model.readout,
           model.dropout, n_archs, epochs, in_dim, model.vocab, targets_from)
    state = _STATES.get(key)
    if state is None:
        import torch

        # the caller's random stream must not depend on whether this was cached
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            encoder = GraphEncoder(model.encoder, in_dim, hidden=model.hidden, layers=model.layers,
                                   readout=model.readout, dropout=model.dropout)
            if model.pretrain == "zc":
                archs, targets, _ = proxy_targets(space, store, proxies, n_archs,
                                                  bool(model.merge_isomorphic))
                graphs = to_pyg_list(space, archs, vocab=model.vocab)
                pretrain_on_proxies(encoder, graphs, targets, epochs=epochs, seed=0)
            else:
                graphs = to_pyg_list(space, unlabelled_archs(space, int(n_archs)), vocab=model.vocab)
                pretrain_encoder(encoder, graphs, epochs=epochs, seed=0)
        state = _STATES[key] = copy.deepcopy(encoder.state_dict())
    return state
