"""The evaluation protocol: predictors x training-set sizes x seeds -> one tidy DataFrame.

::

    >>> from predictors import evaluate
    >>> df = evaluate.evaluate("nb201", "cifar10", "test_accuracy", ["xgb", "lgbm", "random"],
    ...                        train_sizes=(10, 100, 1000), test_size=1000, seeds=10)
    >>> evaluate.summarize(df)                      # mean, 95% interval, failed runs per cell
    >>> print(evaluate.leaderboard_markdown(df))    # markdown leaderboard
    >>> evaluate.plot_curves(df, "spearman.png")    # correlation vs training-set size

Words: a **metric** is a stored column (``Benchmark.query(arch, dataset, metric)``); the **target**
is the metric being predicted; what a run computes from its predictions (Spearman, Kendall, ...,
MAE) are its **scores** (``SCORES``).

Protocol
--------
1. **Candidates**: the archs of the store whose ``target`` is measured (finite), further restricted
   when asked to archs that have every metric in ``restrict`` (e.g. ``["zc"]`` = every ``zc/*``
   column, the NAS-Bench-Suite-Zero subset) and/or to an explicit ``archs`` list.
2. **Splits**, one per seed ``s``: ``numpy.random.default_rng(s)`` permutes the candidates; the first
   ``test_size`` form the test set and the training set of size ``n`` is the next ``n`` archs. Train
   and test are disjoint, training sets are nested across sizes (less noise between sizes), and
   the splits depend only on the candidates and the seed: every predictor sees the same ones.
3. **Runs**: for each (predictor, train size, seed), a fresh clone of the predictor (with
   ``random_state`` = the seed, when it has one) is fitted on the training archs and scored on the
   test archs (``predictors.metrics.score``) with fit and predict wall times in seconds.
   Rankers (not scikit-learn regressors, see ``predictors.base.RankerMixin``) get NaN MAE / RMSE.
4. **Failures** are counted, never averaged away: a run whose fit or predict raises, or whose
   predictions are constant (no ranking) or not finite, is recorded with its reason in the
   ``error`` column and NaN scores. Every mean says over how many runs it is (``k/n seeds``), a
   partial entry is never the bold "best", and a predictor that fails on *every* run because it
   raised stops the sweep with that error.
5. **Intervals** (``seed_interval``) stay inside the score's range, where a plain t-interval on
   a few seeds does not (a Spearman of 0.21 ± 1.52 on two seeds): correlations get a t-interval
   on Fisher's z mapped back to (-1, 1); other scores the percentile bootstrap of the seed mean.

Runs execute in this process (``n_jobs=1``), in joblib worker processes (``n_jobs>1``), or on a
Dask distributed cluster (``scheduler="tcp://host:8786"``, an address or a ``Client``). Every run is
seeded on its own and GBDTs use one thread each, so the numbers are the same whichever way runs
are executed (fit / predict seconds aside). Workers open the store by its path: on a cluster the
path must be valid on every worker.

Defaults follow the predictor literature (White et al. 2021, NAS-Bench-Suite-Zero): training sets
of 10 .. 1,000 archs, 1,000 test archs, 10 seeds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nasbench.errors import is_int
from nasbench.vocab import is_zc_metric
from predictors.base import Predictor, PredictorInputError, open_bench

if TYPE_CHECKING:  # pandas is imported when a sweep runs
    import pandas as pd

__all__ = [
    "DEFAULT_TRAIN_SIZES",
    "DEFAULT_TEST_SIZE",
    "DEFAULT_SEEDS",
    "SCORES",
    "candidates",
    "make_splits",
    "evaluate",
    "seed_interval",
    "summarize",
    "leaderboard_markdown",
    "plot_curves",
]

DEFAULT_TRAIN_SIZES = (10, 20, 50, 100, 200, 1000)
DEFAULT_TEST_SIZE = 1000
DEFAULT_SEEDS = 10
DEFAULT_TOP_K = (10, 50)
#: per-run columns that are scores (precision@k columns are added per k)
SCORES = ("spearman", "kendall", "pearson", "mae", "rmse", "fit_seconds", "predict_seconds")
#: scores that are correlations (their intervals use Fisher's z)
CORRELATIONS = ("spearman", "kendall", "pearson")
#: scores where lower is better
LOWER_IS_BETTER = ("mae", "rmse", "fit_seconds", "predict_seconds")
#: bootstrap resamples of ``seed_interval``
BOOTSTRAP_RESAMPLES = 9999
#: how the ``error`` of a run whose fit or predict raised begins
RAISED = "raised "


def candidates(
    bench: Any,
    dataset: str,
    target: str,
    *,
    restrict: Sequence[str] = (),
    archs: Sequence[str] | None = None,
    budget: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, y)``: store rows eligible for the protocol and their target values.

    ``restrict`` lists metrics an arch must have (``"zc"`` stands for every ``zc/*`` column of
    ``dataset``); ``archs`` limits the candidates to those archs.
    """
    b = open_bench(bench)
    values = np.asarray(b.values(dataset, target, budget=budget), dtype=np.float64)
    keep = np.isfinite(values)
    metrics: list[str] = []
    for name in restrict:
        if name == "zc":
            zc = [m for m in b.metrics(dataset) if is_zc_metric(m)]
            if not zc:
                raise PredictorInputError(f"restrict 'zc': {b.name}/{dataset} has no zc/* columns")
            metrics.extend(zc)
        else:
            from predictors.baselines import resolve_metric

            metrics.append(resolve_metric(b, dataset, name))
    for m in metrics:
        keep &= np.isfinite(np.asarray(b.values(dataset, m), dtype=np.float64))
    if archs is not None:
        mask = np.zeros(len(b), dtype=bool)
        mask[b.rows(list(archs))] = True
        keep &= mask
    rows = np.flatnonzero(keep)
    return rows, values[rows]


def make_splits(
    n: int, train_sizes: Sequence[int], test_size: int, seeds: Sequence[int]
) -> dict[int, tuple[np.ndarray, dict[int, np.ndarray]]]:
    """Per seed: ``(test_positions, {train_size: train_positions})`` into ``range(n)``.

    Raises:
        PredictorInputError: fewer than ``test_size + max(train_sizes)`` candidates.
    """
    need = test_size + max(train_sizes)
    if n < need:
        raise PredictorInputError(
            f"only {n:,} candidate archs; test size {test_size:,} + largest train size "
            f"{max(train_sizes):,} needs {need:,}: lower them or widen the candidates"
        )
    splits = {}
    for seed in seeds:
        perm = np.random.default_rng(int(seed)).permutation(n)
        test = perm[:test_size]
        splits[int(seed)] = (test, {t: perm[test_size : test_size + t] for t in train_sizes})
    return splits


def _check_sizes(train_sizes: Sequence[int], test_size: int, seeds: int | Sequence[int]) -> tuple:
    train_sizes = list(train_sizes)
    if not train_sizes or not all(is_int(t) and t >= 2 for t in train_sizes):
        raise PredictorInputError(f"train sizes must be integers >= 2; got {train_sizes}")
    if not is_int(test_size) or test_size < 2:
        raise PredictorInputError(f"test size must be an integer >= 2; got {test_size!r}")
    if is_int(seeds):
        if seeds < 1:
            raise PredictorInputError(f"seeds must be at least 1; got {seeds}")
        seed_list = list(range(int(seeds)))
    else:
        seed_list = list(seeds) if isinstance(seeds, Sequence | np.ndarray) else []
        if (not seed_list or not all(is_int(s) and s >= 0 for s in seed_list)
                or len(set(seed_list)) != len(seed_list)):
            raise PredictorInputError(
                f"seeds must be a count >= 1 or distinct integers >= 0; got {seeds!r}"
            )
        seed_list = [int(s) for s in seed_list]
    return sorted({int(t) for t in train_sizes}), int(test_size), seed_list


def _prepare(
    predictors: Any, bench: Any, dataset: str, encoding: str | None
) -> dict[str, Predictor]:
    from sklearn.base import clone

    from predictors import registry

    if isinstance(predictors, (str, Predictor)):
        predictors = [predictors]
    if isinstance(predictors, Mapping):
        items = list(predictors.items())
    else:
        items = []
        for p in predictors:
            items.append((p, p) if isinstance(p, str) else (type(p).__name__, p))
    names = [n for n, _ in items]
    if not items or len(set(names)) != len(names):
        raise PredictorInputError(f"give one or more predictors with distinct names; got {names}")
    path = str(bench.path)
    out: dict[str, Predictor] = {}
    for name, p in items:
        if isinstance(p, str):
            p = registry.make(p, bench=path, dataset=dataset, encoding=encoding)
        elif not isinstance(p, Predictor):
            raise PredictorInputError(
                f"predictor {name!r} is a {type(p).__name__}; give a name ({registry.names_help()}) "
                "or a predictors.Predictor"
            )
        p = clone(p)
        params = p.get_params(deep=False)
        updates: dict[str, Any] = {}
        if "bench" in params and (params["bench"] is None or params["bench"] is bench):
            updates["bench"] = path
        if "dataset" in params and params["dataset"] is None:
            updates["dataset"] = dataset
        if "space" in params and params["space"] is None:
            updates["space"] = bench.space.name
        out[name] = p.set_params(**updates)
    return out


def _run(task: dict[str, Any]) -> dict[str, Any]:
    """One (predictor, train size, seed) run; a module-level function so workers can import it.

    A run that fails (fit or predict raises, or the predictions give no ranking) returns its row
    with NaN scores and the reason in ``error``; it never raises.
    """
    import warnings

    from sklearn.base import clone, is_regressor
    from sklearn.utils import get_tags

    from predictors.metrics import score, score_names

    row = {
        "predictor": task["name"],
        "train_size": task["train_size"],
        "seed": task["seed"],
        "test_size": len(task["test_archs"]),
    }
    model = clone(task["predictor"])
    if "random_state" in model.get_params(deep=False):
        model.set_params(random_state=task["seed"])
    ranker = not is_regressor(model)
    fit_s = predict_s = float("nan")
    error = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            start = time.perf_counter()
            model.fit(task["train_archs"], task["y_train"])
            fit_s = time.perf_counter() - start
            start = time.perf_counter()
            pred = np.asarray(model.predict(task["test_archs"]), dtype=np.float64)
            predict_s = time.perf_counter() - start
    except Exception as exc:  # a failed run is a result to report, not a crash of the sweep
        error = f"{RAISED}{type(exc).__name__}: {exc}"
    else:
        if not np.isfinite(pred).all():
            error = f"{int((~np.isfinite(pred)).sum())} non-finite predictions"
        elif np.ptp(pred) == 0:
            error = "constant predictions (no ranking)"
    if error:
        row.update(dict.fromkeys(score_names(task["top_k"]), float("nan")))
    else:
        if ranker and task["direction"] == "min" and not get_tags(model).target_tags.required:
            # rankers that learn nothing (proxies, columns) score "higher = better": align them
            # with a lower-is-better target; a ranker fitted on y (robot, TablePredictor(sign=
            # "fit"), rank ensembles) is already ordered like y, as a regressor is
            pred = -pred
        row.update(score(task["y_test"], pred, top_k=task["top_k"], direction=task["direction"],
                         on_target_scale=not ranker))
    row["fit_seconds"] = fit_s
    row["predict_seconds"] = predict_s
    row["error"] = error
    return row


def _execute(tasks: list[dict[str, Any]], n_jobs: int, scheduler: Any, progress: bool, desc: str) -> list:
    from tqdm.auto import tqdm

    from predictors.parallel import imap_unordered

    results = []
    with tqdm(total=len(tasks), desc=desc, unit="run", disable=not progress) as bar:
        for row in imap_unordered(_run, tasks, n_jobs=n_jobs, scheduler=scheduler):
            results.append(row)
            bar.update()
    return results


def evaluate(
    bench: Any,
    dataset: str,
    target: str,
    predictors: Any = None,
    *,
    train_sizes: Sequence[int] = DEFAULT_TRAIN_SIZES,
    test_size: int = DEFAULT_TEST_SIZE,
    seeds: int | Sequence[int] = DEFAULT_SEEDS,
    restrict: Sequence[str] = (),
    archs: Sequence[str] | None = None,
    budget: int | None = None,
    encoding: str | None = None,
    top_k: Sequence[int] = DEFAULT_TOP_K,
    n_jobs: int = 1,
    scheduler: Any = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run the protocol (module docstring) and return one row per (predictor, train size, seed).

    Args:
        bench: store name, path or ``nasbench.Benchmark``.
        dataset, target: what to predict, e.g. ``"cifar10"``, ``"test_accuracy"``.
        predictors: names (``predictors.registry``), ``Predictor`` objects, or a dict
            name -> either; None = ``registry.DEFAULT_PREDICTORS``. Unset ``bench`` / ``dataset`` /
            ``space`` parameters are filled in from the arguments.
        train_sizes, test_size, seeds: the protocol's sizes; ``seeds`` is a count (0..n-1) or a
            list of seeds.
        restrict, archs, budget: which archs are candidates and which target budget (see
            ``candidates``).
        encoding: encoding of the predictors built from names (None = the space's default).
        top_k: the k of the precision@k columns.
        n_jobs: joblib processes (1 = run here); ignored with ``scheduler``.
        scheduler: a Dask scheduler address or ``dask.distributed.Client``.
        progress: show a progress bar over runs.

    Returns:
        A pandas DataFrame with columns benchmark, dataset, target, predictor, train_size, seed,
        test_size, spearman, kendall, pearson, precision@k..., mae, rmse, fit_seconds,
        predict_seconds, error (``""`` for a run that worked, else why it failed; its scores are
        NaN); ``df.attrs`` records the protocol (candidates, sizes, seeds, restrict).

    Raises:
        PredictorInputError: bad sizes or seeds, too few candidates, an unknown predictor, a table
            predictor whose column misses candidates, or a predictor that raised on every run.
    """
    import pandas as pd

    from predictors import registry
    from predictors.baselines import TablePredictor

    b = open_bench(bench)
    sizes, test_size, seed_list = _check_sizes(train_sizes, test_size, seeds)
    info = b.describe(dataset, target)  # unknown names fail here with the known ones listed
    direction = info.direction or "max"
    rows, y = candidates(b, dataset, target, restrict=restrict, archs=archs, budget=budget)
    splits = make_splits(len(rows), sizes, test_size, seed_list)
    models = _prepare(registry.DEFAULT_PREDICTORS if predictors is None else predictors, b, dataset, encoding)
    arch_names = np.asarray(b.archs, dtype=object)[rows]
    for name, model in models.items():  # refuse uncovered table columns before any run
        if isinstance(model, TablePredictor):
            try:
                model.column(list(arch_names))
            except PredictorInputError as exc:
                raise PredictorInputError(f"predictor {name!r}: {exc}") from None
    tasks = []
    for seed, (test, trains) in splits.items():
        test_archs, y_test = arch_names[test].tolist(), y[test]
        for size in sizes:
            train = trains[size]
            for name, model in models.items():
                tasks.append(
                    {
                        "name": name,
                        "predictor": model,
                        "train_size": size,
                        "seed": seed,
                        "train_archs": arch_names[train].tolist(),
                        "y_train": y[train],
                        "test_archs": test_archs,
                        "y_test": y_test,
                        "top_k": tuple(top_k),
                        "direction": direction,
                    }
                )
    desc = f"evaluate {b.name}/{dataset}/{target}"
    results = _execute(tasks, int(n_jobs), scheduler, progress, desc)
    order = {name: i for i, name in enumerate(models)}
    df = pd.DataFrame(results)
    _raise_if_always_broken(df)
    df = df.sort_values(
        ["predictor", "train_size", "seed"], key=lambda c: c.map(order) if c.name == "predictor" else c
    ).reset_index(drop=True)
    df.insert(0, "target", target)
    df.insert(0, "dataset", dataset)
    df.insert(0, "benchmark", b.name)
    df.attrs.update(
        {
            "benchmark": b.name,
            "dataset": dataset,
            "target": target,
            "direction": direction,
            "candidates": int(len(rows)),
            "train_sizes": sizes,
            "test_size": test_size,
            "seeds": seed_list,
            "restrict": list(restrict),
        }
    )
    return df


def _raise_if_always_broken(df: Any) -> None:
    """A predictor that raised on every run is a mistake (wrong input, a bug), not a result."""
    errors = df["error"].astype(str)
    for name, part in errors.groupby(df["predictor"], sort=False):
        if part.str.startswith(RAISED).all():
            raise PredictorInputError(
                f"predictor {name!r} failed on all {len(part)} runs: {part.iloc[0][len(RAISED):]}"
            )


def seed_interval(values: Any, score: str = "spearman", confidence: float = 0.95) -> tuple[float, float]:
    """The 95% interval of the mean of ``values`` (one ``score`` per seed), inside its range.

    * correlations (``CORRELATIONS``): a t-interval on Fisher's z = artanh(r), mapped back with
      tanh: always inside (-1, 1), and as wide as two or three seeds deserve;
    * every other score: the percentile bootstrap interval of the mean (seeded, so the same values
      give the same interval), never outside ``[min(values), max(values)]``.

    NaN values are dropped; with fewer than two left the interval is ``(nan, nan)``; identical
    values give that value.

    Shapes:
        values: ``(n,)``.
    """
    lows, highs = _intervals([np.asarray(values, dtype=np.float64)], [score], confidence)
    return float(lows[0]), float(highs[0])


def paired_difference(a: Any, b: Any, confidence: float = 0.95) -> tuple[float, float, float]:
    """``(mean, low, high)`` of ``a - b`` over seeds run on identical splits: the mean difference
    and the percentile-bootstrap interval of that mean (a difference, so not Fisher's z).
    Seeds where either side is NaN are dropped.

    Shapes:
        a, b: ``(seeds,)``.
    """
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    low, high = seed_interval(diff, "difference", confidence)
    return (float(np.nanmean(diff)) if np.isfinite(diff).any() else float("nan")), low, high


def _intervals(
    groups: Sequence[np.ndarray], scores: Sequence[str], confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """``seed_interval`` of each group; bootstraps are vectorised over groups of one size."""
    import warnings

    from scipy.stats import bootstrap
    from scipy.stats import t as student_t

    clean = [g[np.isfinite(g)] for g in groups]
    lows = np.full(len(clean), np.nan)
    highs = np.full(len(clean), np.nan)
    by_size: dict[int, list[int]] = {}
    for i, (g, name) in enumerate(zip(clean, scores)):
        if len(g) < 2:
            continue
        if np.ptp(g) == 0:
            lows[i] = highs[i] = g[0]
        elif name in CORRELATIONS:
            z = np.arctanh(np.clip(g, -1 + 1e-12, 1 - 1e-12))
            half = student_t.ppf(0.5 + confidence / 2, len(z) - 1) * z.std(ddof=1) / np.sqrt(len(z))
            lows[i], highs[i] = np.tanh(z.mean() - half), np.tanh(z.mean() + half)
        else:
            by_size.setdefault(len(g), []).append(i)
    for size, idx in by_size.items():
        data = np.stack([clean[i] for i in idx])  # (groups, size)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scipy's notes on small samples
            res = bootstrap((data,), np.mean, axis=-1, vectorized=True, method="percentile",
                            confidence_level=confidence, n_resamples=BOOTSTRAP_RESAMPLES,
                            rng=np.random.default_rng(size))
        lows[idx], highs[idx] = res.confidence_interval
    return lows, highs


def _score_columns(df: Any) -> list[str]:
    return [c for c in df.columns if c in SCORES or c.startswith("precision@")]


def summarize(df: Any, scores: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean, standard deviation and 95% interval over seeds, per (predictor, train size, score).

    Returns a long DataFrame: predictor, train_size, score, mean, std, ci_low, ci_high, n, runs,
    failed. ``n`` counts the runs the mean is over, ``runs`` every run of the cell and ``failed``
    the failed ones (see the module docstring); a cell where every run failed has NaN mean. NaN
    scores of working runs (MAE of a ranker) are left out: those cells do not appear. The interval
    is ``seed_interval``'s (Fisher z for correlations, bootstrap otherwise), NaN with fewer than 2
    values.
    """
    import pandas as pd

    if scores is None:
        scores = _score_columns(df)
    failed_run = df["error"].astype(str) != "" if "error" in df else pd.Series(False, index=df.index)
    long = df.assign(_failed=failed_run).melt(
        id_vars=["predictor", "train_size", "seed", "_failed"], value_vars=list(scores),
        var_name="score",
    )
    # a working run's NaN (MAE of a ranker) is "not defined", a failed run's NaN is a failure
    long = long[long["_failed"] | long["value"].notna()]
    order = list(dict.fromkeys(df["predictor"]))
    g = long.groupby(["predictor", "train_size", "score"], sort=False)
    out = g["value"].agg(mean="mean", std="std", n="count").reset_index()
    out["runs"] = g["value"].size().to_numpy()
    out["failed"] = g["_failed"].sum().to_numpy().astype(int)
    groups = [part.to_numpy(dtype=np.float64) for _, part in g["value"]]
    out["ci_low"], out["ci_high"] = _intervals(groups, out["score"].tolist())
    out["predictor"] = pd.Categorical(out["predictor"], categories=order, ordered=True)
    out = out.sort_values(["predictor", "train_size", "score"]).reset_index(drop=True)
    out["predictor"] = out["predictor"].astype(str)
    return out[["predictor", "train_size", "score", "mean", "std", "ci_low", "ci_high", "n", "runs",
                "failed"]]


def _cell(mean: float, low: float, high: float, n: int, runs: int, digits: int) -> str:
    """``mean [low, high]``, with ``(k/n seeds)`` when some runs failed."""
    if not np.isfinite(mean):
        text = "-"
    elif not np.isfinite(low):
        text = f"{mean:.{digits}f}"
    else:
        text = f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"
    return text if n == runs else f"{text} ({n}/{runs} seeds)"


def leaderboard_markdown(df: Any, score: str = "spearman", *, title: str | None = None) -> str:
    """A markdown leaderboard: ``score``'s mean [95% interval] per predictor and train size,
    ranked by the largest train size, then every score at that size.

    The best mean of each size is bold among the entries whose every run worked; an entry with
    failed runs says ``(k/n seeds)`` and is never bold.
    """
    summary = summarize(df)
    sizes = sorted(df["train_size"].unique())
    higher = score not in LOWER_IS_BETTER
    main = summary[summary["score"] == score].set_index(["predictor", "train_size"])
    complete = main[main["n"] == main["runs"]]["mean"].unstack("train_size")
    best = complete.max() if higher else complete.min()
    last = sizes[-1]
    at_last = main.xs(last, level="train_size")["mean"]
    ranked = at_last.sort_values(ascending=not higher, na_position="last").index.tolist()
    ranked += [p for p in dict.fromkeys(df["predictor"]) if p not in ranked]
    a = df.attrs
    n_seeds = len(a.get("seeds", []))
    lines = []
    if title:
        lines += [f"### {title}", ""]
    if a:
        lines += [
            f"{score.capitalize()} on {a.get('test_size', '?'):,} test archs, mean [95% interval"
            f"{' (Fisher z)' if score in CORRELATIONS else ' (bootstrap)'}] over {n_seeds} "
            f"seed{'' if n_seeds == 1 else 's'}; "
            f"{a.get('candidates', 0):,} candidate archs"
            + (f" (restricted to archs with {', '.join(a['restrict'])})" if a.get("restrict") else "")
            + ".",
            "",
        ]
    lines.append("| predictor | " + " | ".join(f"n={s:,}" for s in sizes) + " |")
    lines.append("|---|" + "---:|" * len(sizes))
    partial = False
    for name in ranked:
        cells = []
        for s in sizes:
            if (name, s) not in main.index:
                cells.append("-")
                continue
            r = main.loc[(name, s)]
            n, runs = int(r["n"]), int(r["runs"])
            text = _cell(r["mean"], r["ci_low"], r["ci_high"], n, runs, 3)
            if n == runs and np.isfinite(r["mean"]) and np.isclose(r["mean"], best.get(s, np.nan)):
                text = f"**{text}**"
            partial |= n < runs
            cells.append(text)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if partial:
        lines += [
            "",
            "(k/n seeds): only k of the n runs worked; the others failed (constant or non-finite "
            "predictions, or an error) and are not in the mean. Such an entry is never bold.",
        ]
    lines += ["", f"All scores at n={last:,} (mean over the runs that worked):", ""]
    cols = _score_columns(df)
    at = summary[summary["train_size"] == last].set_index(["predictor", "score"])
    counts = main.xs(last, level="train_size")[["n", "runs"]]
    lines.append("| predictor | " + " | ".join(cols) + " | seeds |")
    lines.append("|---|" + "---:|" * (len(cols) + 1))
    for name in ranked:
        vals = []
        for c in cols:
            v = at["mean"].get((name, c), np.nan)
            digits = 3 if not c.endswith("seconds") else 4
            vals.append("-" if not np.isfinite(v) else f"{v:.{digits}f}")
        n, runs = counts.loc[name] if name in counts.index else (0, 0)
        vals.append(f"{int(n)}/{int(runs)}")
        lines.append(f"| {name} | " + " | ".join(vals) + " |")
    return "\n".join(lines) + "\n"


def plot_curves(
    df: Any, path: str | Path | Sequence[str | Path], score: str = "spearman", *, title: str | None = None
) -> list[Path]:
    """Plot ``score`` (mean and 95% band over seeds) against training-set size, log x axis.

    A point whose mean misses failed runs is drawn hollow, and its predictor's legend entry says
    ``(k/n seeds at some sizes)``. ``path`` may be one file or several (e.g. ``["curve.png",
    "curve.svg"]``); the format follows the suffix. Returns the written paths.
    """
    # a Figure of its own, not pyplot: the caller's backend (a notebook's inline one) is untouched
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
    summary = summarize(df, [score])
    fig = Figure(figsize=(8.5, 4.8))
    ax = fig.subplots()
    colors = colormaps["tab20"].colors
    for i, (name, part) in enumerate(summary.groupby("predictor", sort=False)):
        part = part.sort_values("train_size")
        # rankers that learn nothing give the same value at every size: draw them dashed
        flat = part["mean"].nunique() == 1 and len(part) > 1
        color = colors[(2 * i) % 20 if i < 10 else (2 * i + 1) % 20]
        partial = part["n"] < part["runs"]
        label = name if not partial.any() else f"{name} (k/n seeds at some sizes)"
        ax.plot(part["train_size"], part["mean"], marker="" if flat else "o", ms=3, label=label,
                color=color, linestyle="--" if flat else "-")
        if partial.any():
            ax.plot(part["train_size"][partial], part["mean"][partial], "o", ms=7,
                    markerfacecolor="white", color=color)
        ax.fill_between(part["train_size"], part["ci_low"], part["ci_high"], alpha=0.12,
                        color=color, linewidth=0)
    sizes = sorted(df["train_size"].unique())
    ax.set_xscale("log")
    ax.set_xticks(sizes, [f"{s:,}" for s in sizes])
    ax.minorticks_off()
    ax.set_xlabel("training archs")
    ax.set_ylabel(f"{score} (test)")
    a = df.attrs
    ax.set_title(title or f"{a.get('benchmark', '')} {a.get('dataset', '')} {a.get('target', '')}".strip())
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    for p in paths:
        p.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(p, dpi=120, metadata={"Date": None} if p.suffix == ".svg" else None)
    return paths
