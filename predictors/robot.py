"""RoBoT: a learned linear combination of zero-cost proxies, as a predictor and as a search routine.

He et al., "Robustifying and Boosting Training-Free Neural Architecture Search", ICLR 2024
(repository hzf1174/RoBoT). RoBoT scores an arch by ``w . z``, a weighted sum of its zero-cost
proxy scores ``z`` with weights ``w`` in ``[-1, 1]`` per proxy, and finds ``w`` by Bayesian
optimisation from a few labelled archs. Two uses of that one idea live here:

``RobotPredictor`` (registry name ``robot``): the predictor. ``fit(archs, y)`` standardises each
proxy on the training archs and searches ``w`` with optuna's TPE sampler (seeded by
``random_state``, ``n_trials`` trials) to maximise the rank correlation between ``w . z`` and
``y`` on the training archs; ``predict(archs)`` returns ``w . z``::

    >>> from predictors.robot import RobotPredictor
    >>> model = RobotPredictor(bench="nb201", dataset="cifar10", random_state=0)
    >>> model.fit(train_archs, y_train).predict(test_archs)     # w . z, ordered like y
    >>> model.weights_                                           # {"zc/synflow": 0.93, ...}

``robot_search(z, objective, budget, seed)``: the search routine of RoBoT's Table 2. ``budget - 1``
TPE trials each query the arch that ``w . z`` ranks first (the query's answer is the trial's
value); then the best weights' ranking is exploited greedily, querying its top unqueried archs
until ``budget`` distinct archs were queried. ``predictors.reproduce.robot`` runs it on NB201.

Objective of the predictor: **Kendall's tau** by default (``objective="spearman"`` is the other
choice). RoBoT's released code never optimises a correlation: its BO maximises the query value
of the single arch the combination ranks first, which is the search objective of
``robot_search``. With ``n`` labelled archs and no search loop, the predictor's analogue is how
well ``w . z`` orders those ``n`` archs. Kendall counts the concordant pairs, which is what a
linear score gets right or wrong pair by pair, and is the headline score of issue 10's targets.
Measured on NB201 cifar10 (``benchmarks/results/robot.md``, 10 seeds, 10 to 200 labels), the two
objectives give the same test Kendall and Spearman within their intervals at every size.

Conventions and documented choices:

* **Features**: every ``zc/<proxy>`` column the store has for ``dataset`` (``proxies=`` picks a
  subset), as ``xgb-zc`` reads them (on ``nb201`` cifar10: 13, ``zc/params`` and ``zc/flops``
  among them); a store without proxies is refused with a ``PredictorInputError`` naming the
  store and dataset.
* **Standardisation** (fit on the training archs) instead of RoBoT's min-max over the whole
  space: a predictor may only learn from its training archs, and the z-score is less sensitive
  to one extreme arch than a min-max range over ``n`` archs. A proxy constant on the training
  archs contributes nothing.
* **NaN proxies** (an arch the proxy was not measured for) count as the training mean (z = 0):
  RoBoT's script drops such a term from the sum, which after standardisation is the same thing.
  An arch with no measured proxy at all gets ``w . z = 0``.
* **Ties in the search**: with 10 training archs about 55 of 200 trials reach the best training
  Kendall (1.0); the first trial that reaches the best value is kept, so ``fit`` is
  deterministic for a ``random_state``. Averaging the tied weights instead did not help (test
  Kendall 0.546 vs 0.558 at 10 labels, 6 seeds).
* It is a **ranker** (``RankerMixin``): ``w . z`` orders archs like ``y`` but is not on its scale,
  so ``evaluate`` reports no MAE for it. Being fitted on ``y`` (``target_tags.required``),
  ``predict`` is ordered like ``y`` (higher ``w . z``, higher ``y``), also for a lower-is-better
  target such as a loss; ``evaluate`` flips only the rankers that learn nothing.

Where it stands (``benchmarks/results/robot.md``, NB201 cifar10 test accuracy, 10 seeds): above
the best single proxy from 50 labels on, below ``xgb-zc`` and ``xgb-both-plus`` from 20 labels on,
level with them at 10; the 13-proxy combination is above RoBoT's own six from 50 labels on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.utils import Tags

from nasbench.vocab import is_zc_metric
from predictors.base import (
    Predictor,
    PredictorInputError,
    RankerMixin,
    open_bench,
    proxy_names,
    table_features,
)

__all__ = ["OBJECTIVES", "RobotPredictor", "robot_search", "store_proxies", "tpe_weights"]

#: what ``RobotPredictor(objective=...)`` may be
OBJECTIVES = ("kendall", "spearman")


def tpe_weights(
    score: Callable[[np.ndarray], float], names: Sequence[str], n_trials: int, seed: int | None
) -> list[tuple[np.ndarray, float]]:
    """Run ``n_trials`` optuna TPE trials over weights in ``[-1, 1]`` per name, maximising ``score``.

    ``score(w)`` gets each trial's weight vector (in the order of ``names``) and returns the value
    to maximise. Returns every trial's ``(w, value)`` in the order they were run; the sampler is
    seeded with ``seed``, so the same inputs give the same trials.

    Shapes:
        w: (len(names),)
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    trials: list[tuple[np.ndarray, float]] = []

    def trial_fn(trial: optuna.Trial) -> float:
        w = np.array([trial.suggest_float(n, -1.0, 1.0) for n in names])
        value = float(score(w))
        trials.append((w, value))
        return value

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(trial_fn, n_trials=n_trials)
    return trials


def robot_search(
    z: np.ndarray, objective: np.ndarray, budget: int, seed: int, names: Sequence[str] | None = None
) -> list[int]:
    """One RoBoT search: the positions (into ``z``'s rows) of the ``budget`` queried archs, in order.

    1. ``budget - 1`` TPE trials (``tpe_weights``, seeded by ``seed``): each trial's weights rank
       the archs by ``z @ w`` and query the first (its value ``objective[top]`` is the trial's
       value); a top arch already queried costs no new query.
    2. With the best weights (the last trial reaching the best value, as RoBoT's script keeps
       them), query the best-ranked unqueried archs until ``budget`` distinct archs are queried.

    The caller reports what it likes of the queried archs (RoBoT: the test accuracy of the one
    with the best ``objective``). ``names`` are the optuna parameter names (default ``w0, w1,
    ...``); the sampler's draws depend on them, so a study that must repeat its numbers keeps its
    names (``predictors.reproduce.robot`` passes its six proxy names).

    Shapes:
        z: (n, proxies) normalised proxy scores; objective: (n,) the query's answer (higher is
        better) -> list of ``budget`` distinct positions.
    """
    z = np.asarray(z, dtype=np.float64)
    objective = np.asarray(objective, dtype=np.float64)
    if z.ndim != 2 or objective.shape != (len(z),):
        raise PredictorInputError(
            f"robot_search needs z of shape (n, proxies) and objective of shape (n,); got "
            f"{z.shape} and {objective.shape}"
        )
    if not 2 <= budget <= len(z):
        raise PredictorInputError(f"budget must be between 2 and {len(z)} (the archs); got {budget}")
    names = list(names) if names is not None else [f"w{i}" for i in range(z.shape[1])]
    queried: list[int] = []

    def query_top(w: np.ndarray) -> float:
        top = int(np.argmax(z @ w))
        if top not in queried:
            queried.append(top)
        return float(objective[top])

    trials = tpe_weights(query_top, names, budget - 1, seed)
    best_value = max(v for _, v in trials)
    best_w = [w for w, v in trials if v >= best_value][-1]
    for pos in np.argsort(-(z @ best_w), kind="stable"):
        if len(queried) >= budget:
            break
        if int(pos) not in queried:
            queried.append(int(pos))
    return queried


def store_proxies(bench: Any, dataset: str, proxies: Any = None) -> list[str]:
    """The ``zc/<proxy>`` columns RoBoT combines: ``proxies`` (default: every one ``dataset`` has).

    Raises:
        PredictorInputError: the dataset has no ``zc/*`` column (or not the ones named); the
            message names the store and what it has.
    """
    b = open_bench(bench)
    if proxies is None and not any(is_zc_metric(m) for m in b.metrics(dataset)):
        raise PredictorInputError(
            f"{b.name}/{dataset} has no zero-cost proxy columns (zc/*); robot combines proxies: "
            "use a store and dataset that have them (e.g. nb201 cifar10, `nasbench info NAME`)"
        )
    return proxy_names(b, dataset, proxies)


class RobotPredictor(RankerMixin, Predictor):
    """RoBoT's proxy combination ``w . z`` with weights learned from the training archs.

    See the module docstring for the method and its documented choices.

    Args:
        bench: store name, path or ``nasbench.Benchmark`` holding the ``zc/*`` columns.
        dataset: the dataset whose proxies are read (e.g. ``"cifar10"``).
        proxies: proxy names (``"synflow"`` or ``"zc/synflow"``); None = every ``zc/*`` column.
        n_trials: TPE trials in ``fit`` (one correlation on the training archs each).
        objective: ``"kendall"`` (default) or ``"spearman"``: what the weights maximise.
        random_state: seed of the TPE sampler.

    Attributes (after ``fit``):
        proxies_: the ``zc/<proxy>`` columns used, in order.
        mean_, scale_: the standardisation fitted on the training archs (scale 0: proxy unused).
        weights_: ``{proxy: weight}``; ``coef_`` the same as an array.
        train_score_: the objective reached on the training archs.
    """

    def __init__(
        self,
        bench: Any = None,
        dataset: str | None = None,
        proxies: Any = None,
        *,
        n_trials: int = 200,
        objective: str = "kendall",
        random_state: int | None = 0,
    ) -> None:
        self.bench = bench
        self.dataset = dataset
        self.proxies = proxies
        self.n_trials = n_trials
        self.objective = objective
        self.random_state = random_state

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # an unmeasured proxy counts as the training mean
        return tags

    def _features(self, archs: list[Any], names: list[str]) -> np.ndarray:
        return table_features(open_bench(self.bench), self.dataset, names, archs)

    def _proxy_names(self) -> list[str]:
        if self.bench is None or self.dataset is None:
            raise PredictorInputError(
                "RobotPredictor reads zero-cost proxies from a store: pass bench= (e.g. 'nb201') "
                "and dataset= (e.g. 'cifar10')"
            )
        return store_proxies(self.bench, self.dataset, self.proxies)

    def _standardise(self, X: np.ndarray) -> np.ndarray:
        z = (X - self.mean_) / np.where(self.scale_ > 0, self.scale_, 1.0)
        z[:, self.scale_ == 0] = 0.0
        return np.where(np.isfinite(z), z, 0.0)

    def _fit(self, archs: list[Any], y: np.ndarray) -> None:
        from predictors.metrics import kendall, spearman

        if self.objective not in OBJECTIVES:
            raise PredictorInputError(
                f"objective={self.objective!r}; use one of {', '.join(OBJECTIVES)}"
            )
        if not isinstance(self.n_trials, (int, np.integer)) or self.n_trials < 1:
            raise PredictorInputError(f"n_trials must be a positive integer; got {self.n_trials!r}")
        self.proxies_ = self._proxy_names()
        X = self._features(archs, self.proxies_)
        measured = np.isfinite(X)
        counts = measured.sum(axis=0)
        self.mean_ = np.array([X[m, j].mean() if c else 0.0
                               for j, (m, c) in enumerate(zip(measured.T, counts))])
        self.scale_ = np.array([X[m, j].std() if c > 1 else 0.0
                                for j, (m, c) in enumerate(zip(measured.T, counts))])
        if not (self.scale_ > 0).any():
            raise PredictorInputError(
                f"no proxy of {', '.join(self.proxies_)} varies over the {len(archs)} training "
                "archs (unmeasured or constant): RoBoT has nothing to combine"
            )
        z = self._standardise(X)
        corr = kendall if self.objective == "kendall" else spearman

        def score(w: np.ndarray) -> float:
            value = corr(y, z @ w)
            return -1.0 if not np.isfinite(value) else value  # constant scores: no ranking

        trials = tpe_weights(score, self.proxies_, int(self.n_trials), self.random_state)
        best = max(range(len(trials)), key=lambda i: trials[i][1])  # first of the best
        self.coef_, self.train_score_ = trials[best]
        self.weights_ = dict(zip(self.proxies_, self.coef_.tolist()))
        self.n_features_in_ = len(self.proxies_)

    def _predict(self, archs: list[Any]) -> np.ndarray:
        return self._standardise(self._features(archs, self.proxies_)) @ self.coef_
