"""Gradient-boosted trees on architecture features: ``XGBPredictor`` and ``LGBMPredictor``.

Defaults are tuned for the common case of this job, **small training sets** (10 to 1,000 archs),
where the ranking matters more than the error:

* ``target_transform="rank"``: the trees fit normal scores of the target's ranks, and predictions
  are mapped back to the target's scale by interpolating the training pairs. NB201 accuracies have
  a long tail of broken cells (10 % on cifar10) that dominates a squared loss on the raw target;
  on ranks the loss spends its effort on the order of the good archs. This alone lifts XGBoost's
  Spearman on NB201 cifar10 (200 training archs) from 0.76 to 0.86. ``"standard"`` fits
  ``(y - mean) / std`` instead, as NASLib does.
* a low learning rate (0.03) with many rounds (1,000), strong column subsampling (0.3) and row
  subsampling (0.8); XGBoost depth 6, LightGBM 31 leaves with at least 3 archs per leaf (its own
  default of 20 makes a model trained on 10 archs predict a constant).

They were chosen on NB201 (cifar10 test accuracy, and NASLib validation accuracy on cifar10 and
ImageNet16-120) with the protocol of ``predictors.evaluate``; the libraries' own defaults are in
the leaderboard as ``xgb-default`` / ``lgbm-default`` (``benchmarks/results/predictors.md``). ``n_jobs`` defaults to 1: training sets are small and the
evaluation protocol parallelises over runs instead.

``search=N`` turns on a light hyper-parameter search: ``N`` random configurations around the
defaults, scored by Spearman correlation in ``cv``-fold cross-validation **on the training set
only**, then a refit of the best one on the whole training set (``best_params_`` says which). With
fewer than ``2 * cv`` training archs the search is skipped and the defaults are used (documented
fallback; ``best_params_`` is then ``{}``).

NaN features (unmeasured proxies with ``features="zc"``/``"both"``) are treated as missing values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from predictors.base import FeaturePredictor

__all__ = ["XGBPredictor", "LGBMPredictor", "TARGET_TRANSFORMS"]

#: what ``target_transform=`` may be
TARGET_TRANSFORMS = ("standard", "rank")


def _spearman_scorer() -> Any:
    from sklearn.metrics import make_scorer

    from predictors.metrics import spearman

    def rho(y: np.ndarray, p: np.ndarray) -> float:
        value = spearman(y, p)  # NaN for a constant fold prediction: score it as no ranking
        return 0.0 if not np.isfinite(value) else value

    return make_scorer(rho)


class _TargetMap:
    """Fit a regressor on a transformed target; map predictions back to the target's scale.

    ``"standard"``: (y - mean) / std. ``"rank"``: normal scores of the ranks,
    ``Phi^-1((rank - 0.5) / n)``, mapped back by interpolating the training pairs (monotone, so
    the ranking is the model's).
    """

    def __init__(self, kind: str, y: np.ndarray) -> None:
        if kind not in TARGET_TRANSFORMS:
            from predictors.base import PredictorInputError

            raise PredictorInputError(
                f"target_transform={kind!r}; use one of {', '.join(TARGET_TRANSFORMS)}"
            )
        self.kind = kind
        self.mean, self.scale = float(y.mean()), float(y.std()) or 1.0
        if kind == "rank":
            from predictors.metrics import normal_scores

            z = normal_scores(y)
            order = np.argsort(z, kind="stable")
            self.z_sorted, self.y_sorted = z[order], np.sort(y)
            self.z = z
        else:
            self.z = (y - self.mean) / self.scale

    def inverse(self, z: np.ndarray) -> np.ndarray:
        if self.kind == "rank":
            # beyond the training range, continue linearly so the order is kept
            inner = np.interp(z, self.z_sorted, self.y_sorted)
            lo, hi = self.z_sorted[0], self.z_sorted[-1]
            return inner + (np.minimum(z - lo, 0) + np.maximum(z - hi, 0)) * self.scale
        return z * self.scale + self.mean


class _Mapped:
    def __init__(self, model: Any, target: _TargetMap) -> None:
        self.model, self.target = model, target

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.target.inverse(self.model.predict(X))


class _GBDT(FeaturePredictor):
    #: name -> callable(rng) drawing one value, for the random search
    _search_space: dict[str, Any] = {}

    def _fit_model(self, X: np.ndarray, y: np.ndarray) -> Any:
        target = _TargetMap(self.target_transform, y)
        z = target.z
        self.best_params_: dict[str, Any] = {}
        model = self._make_model()
        if self.search and len(y) >= 2 * self.cv:
            from sklearn.model_selection import KFold, RandomizedSearchCV

            search = RandomizedSearchCV(
                model,
                self._search_space,
                n_iter=int(self.search),
                scoring=_spearman_scorer(),
                cv=KFold(self.cv, shuffle=True, random_state=self.random_state),
                random_state=self.random_state,
                n_jobs=1,
                refit=True,
            )
            search.fit(X, z)
            self.best_params_ = dict(search.best_params_)
            model = search.best_estimator_
        else:
            model.fit(X, z)
        return _Mapped(model, target)


class XGBPredictor(_GBDT):
    """XGBoost regressor on architecture features (see the module docstring for the defaults).

    Args:
        space, encoding, features, bench, dataset, proxies: see ``FeaturePredictor``.
        n_estimators, learning_rate, max_depth, min_child_weight, subsample, colsample_bytree,
            reg_lambda: XGBoost's parameters of the same names.
        search: number of random configurations for a CV search on the training set (0 = off).
        cv: folds of that search.
        random_state: seed of XGBoost's subsampling and of the search.
        n_jobs: XGBoost threads.
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
        n_estimators: int = 1000,
        learning_rate: float = 0.03,
        max_depth: int = 6,
        min_child_weight: float = 1.0,
        subsample: float = 0.8,
        colsample_bytree: float = 0.3,
        reg_lambda: float = 1.0,
        target_transform: str = "rank",
        search: int = 0,
        cv: int = 3,
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
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_child_weight = min_child_weight
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.target_transform = target_transform
        self.search = search
        self.cv = cv
        self.random_state = random_state
        self.n_jobs = n_jobs

    @property
    def _search_space(self) -> dict[str, Any]:  # type: ignore[override]
        from scipy.stats import loguniform, randint, uniform

        return {
            "n_estimators": randint(200, 1000),
            "learning_rate": loguniform(0.01, 0.1),
            "max_depth": randint(2, 7),
            "min_child_weight": loguniform(0.5, 5),
            "subsample": uniform(0.5, 0.5),
            "colsample_bytree": uniform(0.4, 0.6),
            "reg_lambda": loguniform(0.1, 10),
        }

    def _make_model(self) -> Any:
        from xgboost import XGBRegressor

        return XGBRegressor(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            max_depth=self.max_depth,
            min_child_weight=self.min_child_weight,
            subsample=self.subsample,
            colsample_bytree=self.colsample_bytree,
            reg_lambda=self.reg_lambda,
            tree_method="hist",
            random_state=0 if self.random_state is None else int(self.random_state),
            n_jobs=self.n_jobs,
            verbosity=0,
        )


class LGBMPredictor(_GBDT):
    """LightGBM regressor on architecture features (see the module docstring for the defaults).

    Args:
        space, encoding, features, bench, dataset, proxies: see ``FeaturePredictor``.
        n_estimators, learning_rate, num_leaves, max_depth, min_child_samples, subsample,
            colsample_bytree, reg_lambda: LightGBM's parameters of the same names
            (``subsample`` applies at every iteration).
        search, cv, random_state, n_jobs: as for ``XGBPredictor``.
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
        n_estimators: int = 1000,
        learning_rate: float = 0.03,
        num_leaves: int = 31,
        max_depth: int = -1,
        min_child_samples: int = 3,
        subsample: float = 0.8,
        colsample_bytree: float = 0.3,
        reg_lambda: float = 1.0,
        target_transform: str = "rank",
        search: int = 0,
        cv: int = 3,
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
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.target_transform = target_transform
        self.search = search
        self.cv = cv
        self.random_state = random_state
        self.n_jobs = n_jobs

    @property
    def _search_space(self) -> dict[str, Any]:  # type: ignore[override]
        from scipy.stats import loguniform, randint, uniform

        return {
            "n_estimators": randint(200, 1000),
            "learning_rate": loguniform(0.01, 0.1),
            "num_leaves": randint(4, 32),
            "min_child_samples": randint(2, 20),
            "subsample": uniform(0.5, 0.5),
            "colsample_bytree": uniform(0.4, 0.6),
            "reg_lambda": loguniform(0.1, 10),
        }

    def _make_model(self) -> Any:
        from lightgbm import LGBMRegressor

        return LGBMRegressor(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            max_depth=self.max_depth,
            min_child_samples=self.min_child_samples,
            min_child_weight=1e-3,
            min_data_in_bin=1,
            subsample=self.subsample,
            subsample_freq=1 if self.subsample < 1 else 0,
            colsample_bytree=self.colsample_bytree,
            reg_lambda=self.reg_lambda,
            random_state=0 if self.random_state is None else int(self.random_state),
            n_jobs=self.n_jobs,
            verbose=-1,
            deterministic=True,
            force_row_wise=True,
        )
