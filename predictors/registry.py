"""Predictors by name, for the CLI and the leaderboards.

Names::

    xgb, lgbm, rf, mlp        learned on the encoding            (features="encoding")
    xgb-zc, lgbm-zc, rf-zc    learned on the zero-cost proxies   (features="zc")
    xgb-both, lgbm-both, ...  learned on encoding + proxies      (features="both", Suite-Zero)
    xgb-cv, lgbm-both-cv      the same with an 8-configuration CV search on the training set
    xgb-default, ...          the library's own default hyper-parameters (for comparison)
    xgb-plus, lgbm-both-plus  our best configuration: the tuned defaults on one-hot + path encoding
                              + op counts (where the space has them)
    xgb-naslib, xgb-both-naslib  NASLib's XGBoost settings as used by NAS-Bench-Suite-Zero
                              (500 rounds, learning rate 0.3, depth 6, no subsampling)
    random                    uniform noise (the floor)
    robot                     RoBoT: a linear combination of the store's standardised zero-cost
                              proxies, weights in [-1, 1] found by optuna TPE maximising Kendall
                              on the training archs (``predictors.robot``)
    zc-agg                    training-free: AZ-NAS's log-rank sum of the store's strong proxies
                              (``predictors.combine.STRONG``; every proxy where it has none of
                              them), no label read (``predictors.combine``)
    params, flops             rank by the stored params / FLOPs column, bigger = better (the
                              classic size baseline, whatever direction the store records)
    zc/<proxy>                rank by one stored zero-cost proxy (e.g. zc/synflow), in the
                              direction the store records for it
    <name>:<encoding>         a learned predictor on another encoding (e.g. xgb:path)
    gnn, gnn-<encoder>[-<loss>]  GNN encoders on the space's graph form (``predictors.gnn.names``):
                              gnn-gin-mse, gnn-flow-hinge, gnn-flower (+ path attention),
                              gnn-both (+ proxies), gnn-pre
                              (autoencoder-pretrained encoder), gnn-zcpre (encoder pretrained on
                              data-free proxies), gnn-ens (5 initialisations averaged),
                              gnn+xgb (rank average of gnn and xgb-plus)

``make(name, bench=..., dataset=..., encoding=...)`` builds one; ``DEFAULT_PREDICTORS`` is the
default sweep (every GBDT and baseline).
"""

from __future__ import annotations

from typing import Any

from nasbench.vocab import is_zc_metric
from predictors.base import Predictor, PredictorInputError

__all__ = ["DEFAULT_PREDICTORS", "default_plan", "make", "names_help"]

#: the default sweep of ``evaluate`` and ``nasbench evaluate``
DEFAULT_PREDICTORS = (
    "xgb-plus", "lgbm-plus", "xgb", "lgbm", "lgbm-cv", "xgb-default", "lgbm-default", "rf", "mlp",
    "random", "params", "flops",
)

#: what the library defaults are (for the "-default" variants)
_LIBRARY_DEFAULTS = {
    "xgb": {"n_estimators": 100, "learning_rate": 0.3, "max_depth": 6, "subsample": 1.0,
            "colsample_bytree": 1.0, "target_transform": "standard"},
    "xgb-naslib": {"n_estimators": 500, "learning_rate": 0.3, "max_depth": 6, "subsample": 1.0,
                   "colsample_bytree": 1.0, "target_transform": "standard"},
    "lgbm": {"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 31, "min_child_samples": 20,
             "subsample": 1.0, "colsample_bytree": 1.0, "target_transform": "standard"},
}


#: "-plus": our best configuration (benchmarks/results/reproduce/suite-zero-xgb.md): the tuned
#: defaults with the path encoding and op counts next to the space's default encoding
_PLUS = ("xgb", "lgbm")


def _plus_encoding(space: Any, bench: Any) -> str | None:
    """The space's default encoding, + ``path`` where the space has it, + ``opcounts`` where it
    has a graph form."""
    from predictors.base import resolve_space

    if space is None and bench is None:
        return None
    sp = resolve_space(space, bench)
    parts = [sp.encodings[0]]
    if "path" in sp.encodings[1:]:
        parts.append("path")
    if sp.has_graph:
        parts.append("opcounts")
    return "+".join(parts)


def _learners() -> dict[str, Any]:
    from predictors.baselines import MLPPredictor, RFPredictor
    from predictors.gbdt import LGBMPredictor, XGBPredictor

    return {"xgb": XGBPredictor, "lgbm": LGBMPredictor, "rf": RFPredictor, "mlp": MLPPredictor}


def names_help() -> str:
    """One line listing the accepted names."""
    from predictors.gnn.names import NAMES_HELP

    return (
        "xgb, lgbm, rf, mlp [-zc|-both] [-cv|-default|-naslib|-plus] [:<encoding>], random, params, flops, "
        "zc/<proxy>, zc-agg, robot, " + NAMES_HELP
    )


def make(
    name: str,
    *,
    bench: Any = None,
    dataset: str | None = None,
    space: Any = None,
    encoding: str | None = None,
    random_state: int | None = 0,
) -> Predictor:
    """The predictor called ``name`` (see the module docstring)."""
    from predictors.baselines import RandomPredictor, TablePredictor

    base, _, enc = name.partition(":")
    enc = enc or encoding
    if base == "gnn" or base.startswith(("gnn-", "gnn+")):  # GNN encoders: predictors.gnn.names
        from predictors.gnn import names as gnn_names

        return gnn_names.make(base, bench=bench, dataset=dataset, space=space, random_state=random_state)
    if base == "robot":  # RoBoT's proxy combination: predictors.robot
        from predictors.robot import RobotPredictor, store_proxies

        if name != base:
            raise PredictorInputError(f"{name!r}: robot reads zero-cost proxies, not an encoding; use 'robot'")
        if bench is not None and dataset is not None:
            store_proxies(bench, dataset)  # a store without zc/* columns is refused here
        return RobotPredictor(bench=bench, dataset=dataset, random_state=random_state)
    if base == "zc-agg":  # training-free proxy combination: predictors.combine
        from predictors.combine import ZCAggregatePredictor

        if name != base:
            raise PredictorInputError(f"{name!r}: zc-agg reads zero-cost proxies, not an encoding; use 'zc-agg'")
        if bench is not None and dataset is not None:
            from predictors.base import proxy_names

            proxy_names(bench, dataset, None)  # a store without zc/* columns is refused here
        return ZCAggregatePredictor(bench=bench, dataset=dataset)
    if base == "random":
        return RandomPredictor(random_state=random_state)
    if base in ("params", "flops"):
        # "bigger is better", whatever direction a store gives the cost column
        return TablePredictor(bench=bench, dataset=dataset, metric=base, sign=1.0)
    if is_zc_metric(base):
        return TablePredictor(bench=bench, dataset=dataset, metric=base)
    parts = base.split("-")
    learner, flags = parts[0], parts[1:]
    learners = _learners()
    if learner not in learners or not set(flags) <= {"zc", "both", "cv", "default", "naslib", "plus"}:
        raise PredictorInputError(f"unknown predictor {name!r}; use {names_help()}")
    features = "both" if "both" in flags else "zc" if "zc" in flags else "encoding"
    kwargs: dict[str, Any] = dict(
        space=space, encoding=enc, features=features, bench=bench, dataset=dataset,
        random_state=random_state,
    )
    if "cv" in flags:
        if learner not in ("xgb", "lgbm"):
            raise PredictorInputError(f"{name!r}: only xgb and lgbm have a CV search (-cv)")
        kwargs["search"] = 8
    if "default" in flags:
        if learner not in _LIBRARY_DEFAULTS:
            raise PredictorInputError(f"{name!r}: -default exists for xgb and lgbm only")
        kwargs.update(_LIBRARY_DEFAULTS[learner])
    if "plus" in flags:
        if learner not in _PLUS:
            raise PredictorInputError(f"{name!r}: -plus exists for xgb and lgbm only")
        if enc is None:
            kwargs["encoding"] = _plus_encoding(space, bench)
    if "naslib" in flags:
        if learner != "xgb":
            raise PredictorInputError(f"{name!r}: -naslib exists for xgb only")
        kwargs.update(_LIBRARY_DEFAULTS["xgb-naslib"])
    return learners[learner](**kwargs)


def default_plan(
    bench: Any, dataset: str, min_archs: int, names: Any = DEFAULT_PREDICTORS
) -> tuple[list[str], list[str], list[str]]:
    """Fit the default sweep to what a dataset stores: ``(names, restrict, notes)``.

    The table baselines (``params``, ``flops``) need their column: where it covers at least
    ``min_archs`` archs the sweep is restricted to the archs that have it, where it is missing or
    smaller the baseline is left out; ``notes`` says which and why.
    """
    import numpy as np

    from predictors.base import open_bench
    from predictors.baselines import resolve_metric

    b = open_bench(bench)
    keep: list[str] = []
    restrict: list[str] = []
    notes: list[str] = []
    for name in names:
        if name not in ("params", "flops"):
            keep.append(name)
            continue
        try:
            metric = resolve_metric(b, dataset, name)
        except PredictorInputError:
            notes.append(f"`{name}` left out: no {name} column for {dataset}")
            continue
        measured = int(np.isfinite(b.values(dataset, metric)).sum())
        if measured < min_archs:
            notes.append(f"`{name}` left out: `{metric}` covers {measured:,} archs, fewer than {min_archs:,}")
            continue
        keep.append(name)
        if measured < len(b):
            restrict.append(metric)
    return keep, restrict, notes
