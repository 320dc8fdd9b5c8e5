"""GNN predictors by name, for ``predictors.registry`` (``nasbench evaluate --predictors``).

::

    gnn                       the best default configuration (DEFAULT below)
    gnn-<encoder>[-<loss>]    encoder gin | gcn | gat | flow | flower; loss mse | hinge | logistic | listwise
    gnn[-...]-both            + the store's zero-cost proxies as graph features
    gnn[-...]-pre             + encoder pretrained as a graph autoencoder on unlabelled archs
    gnn[-...]-zcpre           + encoder pretrained to predict data-free zero-cost proxies of
                              unlabelled archs (needs the space's proxy store, e.g. nb201_zc)
    gnn[-...]-ens             an ensemble of ENSEMBLE_MEMBERS initialisations (their standardised
                              scores averaged; ENSEMBLE_MEMBERS times the fit time)
    gnn+xgb                   rank average of ``gnn`` and ``xgb-plus`` (``RankEnsemble``)

Flags combine in any order after ``gnn`` (``gnn-gin-mse-both``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT", "NAMES_HELP", "is_gnn_name", "make"]

#: the parameters of ``gnn`` (chosen on NB201 cifar10, benchmarks/results/gnn_notes.md: the flow encoder
#: beats GIN, 0.890 against 0.805 Kendall at 781 archs; the hinge loss edges out listwise, logistic
#: and MSE on Kendall)
DEFAULT: dict[str, Any] = {"encoder": "flow", "loss": "hinge"}

NAMES_HELP = "gnn[-gin|-gcn|-gat|-flow|-flower][-mse|-hinge|-logistic|-listwise][-both][-pre|-zcpre][-ens], gnn+xgb"
#: models in a ``-ens`` predictor
ENSEMBLE_MEMBERS = 5


def is_gnn_name(name: str) -> bool:
    """True if ``name`` (without any ``:encoding`` tail) is one of this module's names."""
    return name == "gnn" or name.startswith("gnn-") or name == "gnn+xgb"


def make(name: str, *, bench: Any = None, dataset: str | None = None, space: Any = None,
         random_state: int | None = 0) -> Any:
    """The GNN predictor called ``name`` (see the module docstring)."""
    from predictors.base import PredictorInputError
    from predictors.gnn.encoders import ENCODERS
    from predictors.gnn.losses import LOSSES
    from predictors.gnn.model import GNNPredictor

    if name == "gnn+xgb":
        from predictors.gnn.ensemble import RankEnsemble
        from predictors.registry import make as make_any

        members = [make(n, bench=bench, dataset=dataset, space=space, random_state=random_state)
                   if n == "gnn" else
                   make_any(n, bench=bench, dataset=dataset, space=space, random_state=random_state)
                   for n in ("gnn", "xgb-plus")]
        return RankEnsemble(members, space=space, bench=bench, dataset=dataset,
                            random_state=random_state)
    params = dict(DEFAULT)
    for flag in name.split("-")[1:]:
        if flag in ENCODERS:
            params["encoder"] = flag
        elif flag in LOSSES:
            params["loss"] = flag
        elif flag == "both":
            params["features"] = "both"
        elif flag == "pre":
            params["pretrain"] = "ae"
        elif flag == "zcpre":
            params["pretrain"] = "zc"
        elif flag == "ens":
            params["members"] = ENSEMBLE_MEMBERS
        else:
            raise PredictorInputError(f"unknown predictor {name!r}: no GNN flag {flag!r}; use {NAMES_HELP}")
    return GNNPredictor(space=space, bench=bench, dataset=dataset, random_state=random_state, **params)
