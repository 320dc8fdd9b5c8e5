"""The Predictor API: scikit-learn estimators over architecture strings.

Every predictor follows scikit-learn's conventions::

    >>> from predictors import XGBPredictor
    >>> model = XGBPredictor(space="nb201", encoding="onehot", random_state=0)
    >>> model.fit(train_archs, y_train)          # archs: benchmark strings; y: 1-D floats
    >>> model.predict(test_archs)                # np.ndarray, one score per arch
    >>> model.get_params(); model.set_params(max_depth=4); sklearn.base.clone(model)

* The constructor only stores parameters; ``fit`` does the work and returns ``self``.
* Architectures are the benchmark's strings (or the space's objects). The **space** comes from
  ``space=`` (a name such as ``"nb201"`` or a ``SearchSpace``) or from ``bench=``.
* The **encoding** is a parameter (``space.encodings`` lists them; default: the space's first);
  ``"onehot+path"`` concatenates two; ``"opcounts"`` (op counts from the graph form) is added
  here for every space that has ``to_graph``.
* **Features**: ``features="encoding"`` (default) uses the encoding only; ``"zc"`` uses the
  zero-cost proxy columns ``zc/<proxy>`` of ``bench``'s ``dataset`` (as ``signed_log`` of the stored
  values: the same order, inside float32); ``"both"`` concatenates them, as in
  NAS-Bench-Suite-Zero. ``bench`` may be a proxy store of the same space (``nb201_zc``: the
  toolkit's own table) while the evaluation reads the target from another (``nb201``). ``proxies=`` picks a subset of proxies (default: every ``zc/*``).
* ``bench`` may be a store name (``"nb201"``), a store path, or an open ``nasbench.Benchmark``
  (``nasbench.config.is_store_path`` decides name or path, as on the command line). A Benchmark
  is kept by reference by ``clone`` and replaced by its path when pickled (for joblib or Dask
  workers), so workers must be able to open the same path.

What a predictor is, it declares with scikit-learn's tags (``sklearn.utils.get_tags``):

* learned predictors are regressors (``estimator_type == "regressor"``, ``is_regressor``): their
  predictions are on the target's scale, so MAE and RMSE mean something; rankers (``RankerMixin``:
  proxies, params / FLOPs columns, random) are not, and ``evaluate`` reports no MAE for them;
* ``input_tags.string``: the input is architecture strings, not a feature matrix;
* ``input_tags.allow_nan``: whether NaN *features* (unmeasured proxies) are taken as missing values;
* ``target_tags.required``: whether ``fit`` needs ``y`` (a ranker that learns nothing does not:
  ``fit(archs)`` is enough).

Degenerate input is refused with a ``PredictorInputError`` (a ``ValueError``) whose message names
what is wrong and what would be right:

* fewer than 2 training archs, ``y`` of another length, a constant ``y``, NaN / inf in ``y``;
* an arch that is not valid in the predictor's space (e.g. an NB101 graph given to an NB201 model);
* NaN features (a proxy not measured for an arch) for learners that cannot handle missing values.
  **Documented fallback:** XGBoost, LightGBM and random forests treat NaN features as missing
  values (learned default branch), so ``"zc"`` / ``"both"`` models accept archs with a few missing
  proxies; the MLP refuses them.

An arch that is valid but absent from the table (needed only for ``"zc"``/``"both"`` and table
predictors) raises ``nasbench.UnknownArchitectureError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import Tags, get_tags

from nasbench.vocab import is_zc_metric, zc_metric

__all__ = [
    "FEATURE_SETS",
    "PredictorInputError",
    "Predictor",
    "FeaturePredictor",
    "RankerMixin",
    "check_target",
    "open_bench",
    "resolve_space",
]

#: what ``features=`` may be
FEATURE_SETS = ("encoding", "zc", "both")


class PredictorInputError(ValueError):
    """Input a predictor cannot learn from or score: the message says what and how to fix it."""


# -- benchmarks and spaces, resolved lazily and cached per process -------------------------------
_BENCHES: dict[str, Any] = {}


def open_bench(bench: Any) -> Any:
    """An open ``nasbench.Benchmark`` from a Benchmark, a store name or a store path (cached)."""
    import nasbench

    if isinstance(bench, nasbench.Benchmark):
        return bench
    if not isinstance(bench, (str, Path)):
        raise PredictorInputError(
            f"bench must be a store name (e.g. 'nb201'), a store path or a nasbench.Benchmark; "
            f"got {type(bench).__name__}"
        )
    key = str(bench)
    cached = _BENCHES.get(key)
    if cached is not None and not cached.closed:
        return cached
    opened = nasbench.load(bench)  # a name or a path: nasbench.config.is_store_path decides
    _BENCHES[key] = opened
    return opened


def resolve_space(space: Any, bench: Any = None) -> Any:
    """The ``SearchSpace`` named by ``space`` (name or instance), else ``bench``'s space."""
    from nasbench import spaces

    if space is None:
        if bench is None:
            raise PredictorInputError(
                "no search space: pass space='nb201' (or another space name) or bench=<store>"
            )
        return open_bench(bench).space
    if isinstance(space, spaces.SearchSpace):
        return space
    if isinstance(space, str):
        return spaces.get(space)
    raise PredictorInputError(
        f"space must be a space name such as 'nb201' or a SearchSpace; got {type(space).__name__}"
    )


def check_target(y: Any, n: int | None = None, *, min_samples: int = 2) -> np.ndarray:
    """``y`` as a finite float vector of length ``n`` with at least two distinct values."""
    raw = np.asarray(y)
    try:
        if raw.dtype.kind in "bcUS":  # complex would lose its imaginary part; bools, text: no target
            raise TypeError
        arr = raw.astype(np.float64)
    except (TypeError, ValueError):
        raise PredictorInputError(
            f"y must be real numbers (ints or floats); got dtype {raw.dtype} from {type(y).__name__}"
        ) from None
    if arr.ndim != 1:
        raise PredictorInputError(f"y must be 1-D (one value per arch); got shape {arr.shape}")
    if n is not None and len(arr) != n:
        raise PredictorInputError(f"y has {len(arr)} values for {n} archs; give one per arch")
    if len(arr) < min_samples:
        raise PredictorInputError(
            f"fit needs at least {min_samples} training archs; got {len(arr)}"
        )
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise PredictorInputError(
            f"y has {bad.size} NaN/inf values (first at position {bad[0]}); drop those archs "
            "before fitting (evaluate() draws only archs whose target is measured)"
        )
    if np.ptp(arr) == 0:
        raise PredictorInputError(
            f"y is constant ({arr[0]:g} for all {len(arr)} archs); a predictor needs at least "
            "two distinct target values to learn a ranking"
        )
    return arr


def as_arch_list(archs: Any) -> list[Any]:
    """A list of archs; a lone string counts as one arch."""
    if isinstance(archs, (str, bytes)):
        return [archs]
    if isinstance(archs, np.ndarray):
        return archs.tolist()
    try:
        return list(archs)
    except TypeError:
        raise PredictorInputError(
            f"archs must be a sequence of architecture strings; got {type(archs).__name__}"
        ) from None


# -- encodings, cached per (space, encoding, arch) -----------------------------------------------
_ENCODED: dict[tuple[str, str], dict[Any, np.ndarray]] = {}
_CACHE_LIMIT = 250_000


def encode(space: Any, encoding: str | None, archs: Sequence[Any]) -> np.ndarray:
    """``space.encode(archs, encoding)`` as float32 ``(n, d)``, caching each arch's row.

    ``encoding`` may join several of the space's encodings with ``+`` (``"onehot+path"``): their
    columns are concatenated. ``"opcounts"`` (computed here, for any space with a graph form) is
    the number of nodes of each kind in ``space.to_graph(arch)``: op counts, which tree models
    cannot add up from a one-hot encoding by themselves. Repeated fits on overlapping arch sets (the evaluation protocol) encode each arch once per
    process. An arch the space rejects raises ``PredictorInputError`` naming it.
    """
    if encoding and "+" in encoding:
        return np.hstack([encode(space, e, archs) for e in encoding.split("+")])
    if encoding == "opcounts":
        return _opcounts(space, archs)
    enc = space.check_encoding(encoding)
    cache = _ENCODED.setdefault((space.name, enc), {})
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    keys = [a if isinstance(a, (str, int, np.integer)) else space.to_string(a) for a in archs]
    missing = list(dict.fromkeys(k for k in keys if k not in cache))
    if missing:
        try:
            rows = space.encode(missing, enc)
        except (ValueError, TypeError):
            for key in missing:  # find and name the first bad arch
                try:
                    space.encode([key], enc)
                except (ValueError, TypeError) as exc:
                    raise PredictorInputError(
                        f"arch {key!r} is not a valid {space.name} architecture ({exc}); "
                        f"this predictor's space is {space.name!r}"
                    ) from None
            raise
        for key, row in zip(missing, np.asarray(rows, dtype=np.float32)):
            cache[key] = row
    if not keys:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([cache[k] for k in keys])


def _opcounts(space: Any, archs: Sequence[Any]) -> np.ndarray:
    """How many nodes of each kind the arch's graph form has (``space.to_graph``), cached."""
    cache = _ENCODED.setdefault((space.name, "opcounts"), {})
    out = []
    for a in archs:
        row = cache.get(a)
        if row is None:
            try:
                feats, _ = space.to_graph(a)
            except (ValueError, TypeError) as exc:
                raise PredictorInputError(
                    f"arch {a!r} is not a valid {space.name} architecture ({exc})"
                ) from None
            row = cache[a] = np.asarray(feats, dtype=np.float32).sum(axis=0)
        out.append(row)
    return np.stack(out) if out else np.zeros((0, 0), dtype=np.float32)


def proxy_names(bench: Any, dataset: str, proxies: Sequence[str] | None) -> list[str]:
    """The ``zc/<proxy>`` metric names to use: ``proxies`` (with or without ``zc/``) or all."""
    b = open_bench(bench)
    available = [m for m in b.metrics(dataset) if is_zc_metric(m)]
    if proxies is None:
        if not available:
            raise PredictorInputError(
                f"{b.name}/{dataset} has no zero-cost proxy columns (zc/*); use "
                "features='encoding' or a dataset with proxies"
            )
        return available
    names = [zc_metric(p) for p in proxies]
    unknown = [n for n in names if n not in available]
    if unknown:
        raise PredictorInputError(
            f"{b.name}/{dataset} has no proxy {', '.join(unknown)}; it has "
            f"{', '.join(available) or 'none'}"
        )
    return names


def table_features(bench: Any, dataset: str, metrics: Sequence[str], archs: Sequence[Any]) -> np.ndarray:
    """``(n, len(metrics))`` float64 values of ``metrics`` for ``archs`` from the store."""
    b = open_bench(bench)
    cols = [np.asarray(b.query(archs, dataset, m), dtype=np.float64) for m in metrics]
    return np.column_stack(cols) if cols else np.zeros((len(archs), 0))


def signed_log(values: np.ndarray) -> np.ndarray:
    """``sign(v) * log1p(|v|)``: proxy values as features.

    Monotone, so tree models split the same archs apart as on the raw values, but inside float32:
    XGBoost and LightGBM read features as float32, and a raw synflow of a deep network (1e49 on
    NB201) overflows it. It also tames the heavy tails for learners that scale their inputs.
    """
    return np.sign(values) * np.log1p(np.abs(values))


class Predictor(RegressorMixin, BaseEstimator):
    """Base of every predictor: ``fit(archs, y) -> self``, ``predict(archs) -> np.ndarray``.

    Subclasses implement ``_fit(archs, y)`` and ``_predict(archs)``; the base validates input.
    A predictor is a scikit-learn regressor unless it mixes in ``RankerMixin`` (see the module
    docstring for the tags it declares).
    """

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = True
        return tags

    def fit(self, archs: Any, y: Any = None) -> Predictor:
        """Learn from ``archs`` (benchmark strings) and their targets ``y``; return ``self``.

        ``y`` may be left out only by predictors that declare ``target_tags.required = False``.
        """
        items = as_arch_list(archs)
        if y is None and not get_tags(self).target_tags.required:
            target = None
        elif y is None:
            raise PredictorInputError(
                f"{type(self).__name__}.fit needs y: one target value per arch"
            )
        else:
            target = check_target(y, len(items))
        self._fit(items, target)
        self.n_train_ = len(items)
        return self

    def predict(self, archs: Any) -> np.ndarray:
        """One score per arch (float64); higher means better for a ``"max"`` target."""
        if not hasattr(self, "n_train_"):
            raise PredictorInputError(f"{type(self).__name__} is not fitted; call fit(archs, y) first")
        items = as_arch_list(archs)
        if not items:
            return np.zeros(0)
        return np.asarray(self._predict(items), dtype=np.float64).reshape(len(items))

    def _fit(self, archs: list[Any], y: np.ndarray | None) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _predict(self, archs: list[Any]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class RankerMixin:
    """Mix in (left of ``Predictor``) for scores that order archs but are not on the target's
    scale: stored columns, zero-cost proxies, random noise.

    scikit-learn then sees no regressor (``estimator_type`` None, ``is_regressor`` False), and the
    evaluation protocol reports no MAE / RMSE for it.
    """

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.estimator_type = None
        tags.regressor_tags = None
        return tags


class FeaturePredictor(Predictor):
    """A learned regressor over architecture features (encoding, proxies, or both).

    Subclasses define ``__init__`` with the feature parameters below plus their own, and implement
    ``_make_model()`` (an unfitted regressor) and optionally ``_fit_model(X, y)``.

    Feature parameters:
        space: search space name or ``SearchSpace``; None = ``bench``'s space.
        encoding: one of ``space.encodings``; None = the space's default.
        features: ``"encoding"``, ``"zc"`` or ``"both"`` (see the module docstring).
        bench, dataset: the store and dataset holding ``zc/*`` columns (``"zc"``/``"both"``).
        proxies: proxy names to use (``"synflow"`` or ``"zc/synflow"``); None = all.
    """

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # trees take NaN features as missing values
        return tags

    def _feature_matrix(self, archs: list[Any]) -> np.ndarray:
        features = getattr(self, "features", "encoding")
        if features not in FEATURE_SETS:
            raise PredictorInputError(
                f"features={features!r}; use one of {', '.join(FEATURE_SETS)}"
            )
        parts = []
        if features in ("encoding", "both"):
            space = resolve_space(self.space, self.bench)
            parts.append(encode(space, self.encoding, archs).astype(np.float64))
        if features in ("zc", "both"):
            if self.bench is None or self.dataset is None:
                raise PredictorInputError(
                    f"features={features!r} reads zero-cost proxies from a store: pass bench= "
                    "(e.g. 'nb201') and dataset= (e.g. 'cifar10')"
                )
            if self.space is not None:  # archs of another space fail here with a clear message
                encode(resolve_space(self.space), self.encoding, archs)
            names = proxy_names(self.bench, self.dataset, self.proxies)
            parts.append(signed_log(table_features(self.bench, self.dataset, names, archs)))
        X = np.hstack(parts)
        if not get_tags(self).input_tags.allow_nan:
            bad = ~np.isfinite(X).all(axis=1)
            if bad.any():
                raise PredictorInputError(
                    f"{int(bad.sum())} of {len(X)} archs have NaN features (unmeasured proxies); "
                    f"{type(self).__name__} cannot use them: restrict to archs with every proxy "
                    "measured, or use a tree model (XGB, LGBM, RF), which treats NaN as missing"
                )
        return X

    def _fit(self, archs: list[Any], y: np.ndarray) -> None:
        X = self._feature_matrix(archs)
        self.n_features_in_ = X.shape[1]
        self.model_ = self._fit_model(X, y)

    def _predict(self, archs: list[Any]) -> np.ndarray:
        return self.model_.predict(self._feature_matrix(archs))

    def _fit_model(self, X: np.ndarray, y: np.ndarray) -> Any:
        return self._make_model().fit(X, y)

    def _make_model(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError
