"""Zero-cost proxies computed on the benchmarks' own networks, all requested proxies of a network
sharing one run of each forward / backward pass.

::

    >>> from predictors import zero_cost
    >>> inputs = zero_cost.cifar10_inputs(batch_size=64, seed=0)
    >>> res = zero_cost.compute_arch("nb201", 6111, "cifar10", inputs, proxies="all", seed=0)
    >>> res.values["synflow"], res.reasons

On a graph (NAS-Bench-Graph GNNs), ``graph_inputs("cora")`` gives the inputs and the same calls
run the graph passes::

    >>> cora = zero_cost.graph_inputs("cora", seed=0)
    >>> res = zero_cost.compute_arch("nbgraph", "0-1-2-3|gcn,gat,sage,arma", "cora", cora)

Modules: ``base`` (``Proxy``, ``Undefined``), ``registry`` (proxies by name), ``passes`` (the
shared passes on images), ``graph_passes`` (the same passes on a graph, nodes as the batch, with
each proxy's graph convention), ``runner`` (the fused computation), ``proxies/`` (one module per proxy, each
documenting its paper and convention), ``table`` (a space's proxies computed in resumable
chunks), ``cli`` (``nasbench proxies``). Importing this package imports no torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "compute": "predictors.zero_cost.runner",
    "compute_arch": "predictors.zero_cost.runner",
    "cifar10_inputs": "predictors.zero_cost.runner",
    "graph_inputs": "predictors.zero_cost.runner",
    "Result": "predictors.zero_cost.runner",
    "available": "predictors.zero_cost.registry",
    "Proxy": "predictors.zero_cost.base",
    "Undefined": "predictors.zero_cost.base",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'predictors.zero_cost' has no attribute {name!r}")
