"""The ``nbgraph_zc`` store: this project's own zero-cost proxies on the NAS-Bench-Graph GNNs, Cora.

Rows: the 26,206 canonical architectures in the ``nbgraph`` store's order (official key order;
``index`` in the results is the official key, ``SPACE.key``); dataset ``cora``. Every row is its
own isomorphism class (the benchmark files each class once), so nothing is fanned out.

Values: ``nasbench proxies nbgraph --dataset cora`` (``predictors/zero_cost``), results in
``data/zc/nbgraph_cora/``. The networks are the benchmark's (``predictors.networks.nbgraph``,
hidden size 256) at PyTorch's / PyG's default init, run on the whole Cora graph; nodes play the
role of images (the batch is the public split's 140 training nodes). The per-proxy graph
conventions are the project's own, as no published zero-cost table for NAS-Bench-Graph exists:
``predictors/zero_cost/graph_passes.py`` lists them. GradSign is NaN (per-node gradients do not
separate on a graph). The run goes through the archs in a seeded random order (a partial table is
a random sample); the store says whether it is complete.
"""

from __future__ import annotations

from nasbench.config import PROJECT_ROOT
from nasbench.recipes._zc import ZcTable
from nasbench.spaces.nbgraph import SPACE

RESULTS_DIR = PROJECT_ROOT / "data" / "zc" / "nbgraph_cora"

TABLE = ZcTable(
    space=SPACE,
    dataset="cora",
    results_dir=RESULTS_DIR,
    command="nasbench proxies nbgraph --dataset cora --archs all",
    images="the Cora graph (Planetoid public split); the batch is its 140 training nodes",
)

RECIPE = TABLE.recipe(
    "nbgraph_zc",
    archs=lambda: list(SPACE.enumerate()),
    description=(
        "This project's zero-cost proxies on the NAS-Bench-Graph GNNs at initialisation, Cora "
        "(hidden size 256, as the benchmark trained them): the 13 NAS-Bench-Suite-Zero proxies "
        "plus ZiCo, MeCo, AZ-NAS (components and rank aggregate) and SWAP, on the whole Cora "
        "graph with the public split's 140 training nodes as the batch (nodes play the role of "
        "images; the project's own convention: no published GNN proxy table exists to match; "
        "per proxy in predictors/zero_cost/graph_passes.py). GradSign is NaN: per-node "
        "gradients do not separate on a graph. Rows in official key order, as the nbgraph "
        "store. The run goes through the archs in a seeded random order, so the scored ones "
        "are a random sample."
    ),
)
