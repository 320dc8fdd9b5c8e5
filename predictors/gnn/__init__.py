"""GNN predictors on torch-geometric: graphs per space, encoders, ranking losses, pretraining.

::

    >>> from predictors.gnn import GNNPredictor, to_pyg
    >>> to_pyg("nb201", arch)                                  # torch_geometric.data.Data
    >>> GNNPredictor(space="nb201", encoder="flow", loss="hinge", random_state=0).fit(archs, y)

Modules: ``graphs`` (arch -> PyG ``Data``, every space with a graph form), ``encoders`` (GIN,
GCN, GAT and the directed flow encoder from PyG layers; readouts; the scoring model), ``losses``
(MSE, pairwise hinge / logistic, listwise), ``model`` (``GNNPredictor``), ``pretrain`` (graph
autoencoder, or the data-free zero-cost proxies, of unlabelled archs), ``ensemble`` (GNN + GBDT rank average).

Names resolve on first use, so importing this package does not import torch.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["GNNPredictor", "RankEnsemble", "to_pyg", "to_pyg_list"]

_LAZY = {
    "GNNPredictor": "predictors.gnn.model",
    "RankEnsemble": "predictors.gnn.ensemble",
    "to_pyg": "predictors.gnn.graphs",
    "to_pyg_list": "predictors.gnn.graphs",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'predictors.gnn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
