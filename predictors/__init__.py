"""predictors: models that score architectures, behind one scikit-learn style API.

::

    >>> from predictors import XGBPredictor, evaluate
    >>> model = XGBPredictor(space="nb201", random_state=0).fit(train_archs, y_train)
    >>> model.predict(test_archs)
    >>> df = evaluate.evaluate("nb201", "cifar10", "test_accuracy", ["xgb", "lgbm", "random"])

Modules: ``base`` (the API, input checks), ``gbdt`` (XGBoost, LightGBM), ``baselines`` (random,
params / FLOPs / proxy columns, random forest, MLP), ``registry`` (predictors by name),
``metrics`` (Spearman, Kendall, precision@k, ...), ``evaluate`` (the protocol, leaderboards,
plots), ``cli`` (``nasbench evaluate``).

Importing this package is light: names are resolved on first use, so scikit-learn, XGBoost and
LightGBM load only when a predictor is used.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Predictor",
    "FeaturePredictor",
    "PredictorInputError",
    "XGBPredictor",
    "LGBMPredictor",
    "RFPredictor",
    "MLPPredictor",
    "RandomPredictor",
    "TablePredictor",
    "RobotPredictor",
    "make",
    "evaluate",
    "metrics",
    "registry",
]

_LAZY = {
    "Predictor": "predictors.base",
    "FeaturePredictor": "predictors.base",
    "PredictorInputError": "predictors.base",
    "XGBPredictor": "predictors.gbdt",
    "LGBMPredictor": "predictors.gbdt",
    "RFPredictor": "predictors.baselines",
    "MLPPredictor": "predictors.baselines",
    "RandomPredictor": "predictors.baselines",
    "TablePredictor": "predictors.baselines",
    "RobotPredictor": "predictors.robot",
    "make": "predictors.registry",
}
_SUBMODULES = {"evaluate", "metrics", "registry", "base", "gbdt", "baselines", "cli"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"predictors.{name}")
    raise AttributeError(f"module 'predictors' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(__all__) | _SUBMODULES)
