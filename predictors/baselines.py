"""Baselines: random scores, one stored column (params, FLOPs, a zero-cost proxy), and
scikit-learn's random forest and MLP on the same features as the GBDTs.

``TablePredictor(bench, dataset, metric)`` ranks archs by one stored column and learns nothing
(its ``fit`` only validates and, with ``sign="fit"``, learns the sign). It is how the published
"zero-cost proxy" and "params / FLOPs" baselines are scored: the Spearman of the predictor is the
Spearman of the column. Archs whose value is NaN are refused (restrict the evaluation to archs
that have the column, e.g. ``evaluate(..., restrict=["zc/synflow"])``). Its predictions are a score,
not the target: it is a ranker (``RankerMixin``, not a scikit-learn regressor), so MAE / RMSE are
not reported for it. ``column(archs)`` gives the stored values it ranks by.

``RandomPredictor`` returns uniform noise seeded by ``random_state``: the floor every predictor must
clear (its expected Spearman is 0). Neither needs ``y`` to fit (``target_tags.required`` is False;
``TablePredictor(sign="fit")`` excepted).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.utils import Tags

from nasbench.vocab import zc_metric
from predictors.base import (
    FeaturePredictor,
    Predictor,
    PredictorInputError,
    RankerMixin,
    as_arch_list,
    open_bench,
)

__all__ = ["RandomPredictor", "TablePredictor", "RFPredictor", "MLPPredictor", "resolve_metric"]

#: where a baseline's column may live, in order of preference
METRIC_ALIASES = {
    "params": ("params", zc_metric("params")),
    "flops": ("flops", zc_metric("flops")),
}


def resolve_metric(bench: Any, dataset: str, metric: str) -> str:
    """``metric`` itself, or for ``"params"`` / ``"flops"`` the first stored alias (``zc/params``)."""
    b = open_bench(bench)
    have = set(b.metrics(dataset))
    for name in METRIC_ALIASES.get(metric, (metric,)):
        if name in have:
            return name
    if metric in METRIC_ALIASES:
        wanted = " or ".join(METRIC_ALIASES[metric])
        raise PredictorInputError(f"{b.name}/{dataset} has no {wanted} column for the {metric} baseline")
    b.describe(dataset, metric)  # raises UnknownNameError listing the metrics that exist
    return metric


class RandomPredictor(RankerMixin, Predictor):
    """Uniform random scores (the floor). ``fit`` validates its input and seeds the generator."""

    def __init__(self, random_state: int | None = 0) -> None:
        self.random_state = random_state

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags

    def _fit(self, archs: list[Any], y: np.ndarray | None) -> None:
        self.rng_ = np.random.default_rng(self.random_state)

    def _predict(self, archs: list[Any]) -> np.ndarray:
        return self.rng_.random(len(archs))


class TablePredictor(RankerMixin, Predictor):
    """Rank archs by one stored column of ``bench`` (params, FLOPs, a proxy ``zc/<name>``, ...).

    Args:
        bench: store name, path or ``nasbench.Benchmark``.
        dataset: the dataset the column belongs to.
        metric: the column; ``"params"`` / ``"flops"`` fall back to ``zc/params`` / ``zc/flops``.
        sign: ``"direction"`` (default): the column's value, negated if its direction is ``"min"``;
            ``"fit"``: the sign of its Spearman correlation with the training target; or a number
            to multiply by.
        budget: the column's budget (None = its default).
    """

    def __init__(
        self,
        bench: Any = None,
        dataset: str | None = None,
        metric: str = "params",
        sign: Any = "direction",
        budget: int | None = None,
    ) -> None:
        self.bench = bench
        self.dataset = dataset
        self.metric = metric
        self.sign = sign
        self.budget = budget

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = self.sign == "fit"
        return tags

    def column(self, archs: Any) -> np.ndarray:
        """The stored values this predictor ranks by, one per arch (unfitted use is fine).

        Raises:
            PredictorInputError: ``bench`` / ``dataset`` not set, or an arch has no value (NaN):
                the message says how to restrict the archs to those that have it.
        """
        archs = as_arch_list(archs)
        if self.bench is None or self.dataset is None:
            raise PredictorInputError(
                f"TablePredictor({self.metric!r}) reads a stored column: pass bench= (e.g. "
                "'nb201') and dataset= (e.g. 'cifar10')"
            )
        b = open_bench(self.bench)
        metric = resolve_metric(b, self.dataset, self.metric)
        values = np.asarray(b.query(archs, self.dataset, metric, budget=self.budget), dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise PredictorInputError(
                f"{b.name}/{self.dataset}/{metric} is not measured for {bad.size} of {len(values)} "
                f"archs (first: {archs[bad[0]]!r}); restrict to archs that have it "
                f"(evaluate(..., restrict=[{metric!r}]) or --restrict {metric})"
            )
        return values

    def _fit(self, archs: list[Any], y: np.ndarray | None) -> None:
        values = self.column(archs)
        if self.sign == "direction":
            b = open_bench(self.bench)
            info = b.describe(self.dataset, resolve_metric(b, self.dataset, self.metric))
            self.sign_ = -1.0 if info.direction == "min" else 1.0
        elif self.sign == "fit":
            from scipy.stats import spearmanr

            rho = spearmanr(values, y).statistic
            self.sign_ = -1.0 if np.isfinite(rho) and rho < 0 else 1.0
        elif isinstance(self.sign, (int, float)) and np.isfinite(self.sign) and self.sign != 0:
            self.sign_ = float(self.sign)
        else:
            raise PredictorInputError(
                f"sign={self.sign!r}; use 'direction', 'fit' or a non-zero number"
            )

    def _predict(self, archs: list[Any]) -> np.ndarray:
        return self.sign_ * self.column(archs)


class RFPredictor(FeaturePredictor):
    """scikit-learn ``RandomForestRegressor`` on architecture features (NaN features allowed).

    Args:
        space, encoding, features, bench, dataset, proxies: see ``FeaturePredictor``.
        n_estimators, max_features, min_samples_leaf: the forest's parameters.
        random_state, n_jobs: seed and threads.
    """

    def __init__(
        self,
        space: Any = None,
        encoding: str | None = None,
        features: str = "encoding",
        bench: Any = None,
        dataset: str | None = None,
        proxies: Any = None,
        *,
        n_estimators: int = 200,
        max_features: float = 0.5,
        min_samples_leaf: int = 1,
        random_state: int | None = 0,
        n_jobs: int = 1,
    ) -> None:
        self.space = space
        self.encoding = encoding
        self.features = features
        self.bench = bench
        self.dataset = dataset
        self.proxies = proxies
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _make_model(self) -> Any:
        from sklearn.ensemble import RandomForestRegressor

        return RandomForestRegressor(
            n_estimators=self.n_estimators,
            max_features=self.max_features,
            min_samples_leaf=self.min_samples_leaf,
            random_state=self.random_state,
            n_jobs=self.n_jobs,
        )


class MLPPredictor(FeaturePredictor):
    """scikit-learn ``MLPRegressor`` on standardised features and target (no NaN features).

    Args:
        space, encoding, features, bench, dataset, proxies: see ``FeaturePredictor``.
        hidden_layer_sizes, alpha, learning_rate_init, max_iter: the MLP's parameters (Adam).
        random_state: seed of the weights' initialisation and of the batches.
    """

    def __init__(
        self,
        space: Any = None,
        encoding: str | None = None,
        features: str = "encoding",
        bench: Any = None,
        dataset: str | None = None,
        proxies: Any = None,
        *,
        hidden_layer_sizes: tuple[int, ...] = (64, 64),
        alpha: float = 1e-3,
        learning_rate_init: float = 1e-3,
        max_iter: int = 500,
        random_state: int | None = 0,
    ) -> None:
        self.space = space
        self.encoding = encoding
        self.features = features
        self.bench = bench
        self.dataset = dataset
        self.proxies = proxies
        self.hidden_layer_sizes = hidden_layer_sizes
        self.alpha = alpha
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.random_state = random_state

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False  # the MLP cannot take NaN features
        return tags

    def _fit_model(self, X: np.ndarray, y: np.ndarray) -> Any:
        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            # small training sets stop at max_iter by design; the warning would flood every sweep
            warnings.simplefilter("ignore", ConvergenceWarning)
            return super()._fit_model(X, y)

    def _make_model(self) -> Any:
        from sklearn.compose import TransformedTargetRegressor
        from sklearn.neural_network import MLPRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        mlp = MLPRegressor(
            hidden_layer_sizes=tuple(self.hidden_layer_sizes),
            alpha=self.alpha,
            learning_rate_init=self.learning_rate_init,
            max_iter=self.max_iter,
            random_state=self.random_state,
        )
        return TransformedTargetRegressor(
            regressor=make_pipeline(StandardScaler(), mlp), transformer=StandardScaler()
        )
