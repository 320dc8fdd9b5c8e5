"""Relative improvement over random sampling, "NAS evaluation is frustratingly hard"-style, for
the leaderboard's predictors.

Yang et al. (ICLR 2020) judge a NAS method by its relative improvement over random sampling,
``RI = 100 * (Acc_m - Acc_r) / Acc_r``. Here the method is a predictor used for a search: it is
trained on ``n`` evaluated archs (the protocol's training set), then picks the arch it ranks first
among the protocol's 1,000 test archs; ``Acc_m`` is that arch's true accuracy. Two baselines with
the same data:

* ``Acc_r`` = the mean accuracy of a random arch (the test pool's mean): Yang et al.'s RI;
* random search with the same ``n`` evaluations: the best of the ``n`` training archs, i.e. what
  the evaluations the predictor consumed would have found on their own.

No published numbers (the paper evaluated other search spaces): every cell is computed here, with
a 95% bootstrap interval of the mean over seeds; "beats" is said only where the interval of the
paired difference lies above zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from predictors.reproduce.base import Cell, Config, Report, Section, Study, judge, load_store
from predictors.reproduce.stats import mean_interval

if TYPE_CHECKING:
    from nasbench import Benchmark

#: the leaderboard's predictors that fit in seconds (``registry.DEFAULT_PREDICTORS`` minus the
#: cross-validated, library-default and MLP variants, which cost minutes per sweep)
PREDICTORS = ("xgb-plus", "lgbm-plus", "xgb", "lgbm", "rf", "params", "flops", "random")
DATASET, TARGET = "cifar10", "test_accuracy"
TRAIN_SIZE, TEST_SIZE = 100, 1000
DEFAULT_SEEDS = 10


def _runs(b: Benchmark, seeds: int, predictors: tuple[str, ...]) -> dict[str, np.ndarray]:
    """name -> (seeds, 3): chosen arch's accuracy, test-pool mean, best of the training archs."""
    import warnings

    from sklearn.base import clone

    from predictors import evaluate as ev
    from predictors import registry

    rows, y = ev.candidates(b, DATASET, TARGET)
    splits = ev.make_splits(len(rows), [TRAIN_SIZE], TEST_SIZE, list(range(seeds)))
    archs = np.asarray(b.archs, dtype=object)[rows]
    out = {}
    for name in predictors:
        model = registry.make(name, bench=str(b.path), dataset=DATASET)
        res = []
        for seed, (test, trains) in splits.items():
            train = trains[TRAIN_SIZE]
            m = clone(model)
            if "random_state" in m.get_params(deep=False):
                m.set_params(random_state=seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m.fit(archs[train].tolist(), y[train])
                pred = np.asarray(m.predict(archs[test].tolist()), dtype=np.float64)
            pick = test[int(np.argmax(pred))]
            res.append((y[pick], y[test].mean(), y[train].max()))
        out[name] = np.array(res)
    return out


def run(config: Config) -> Report:
    b = load_store("nb201")
    seeds = config.seeds or DEFAULT_SEEDS
    predictors = PREDICTORS[:2] + ("random",) if config.fast else PREDICTORS
    runs = _runs(b, seeds, predictors)
    ri_cells, search_cells, findings = [], [], []
    for name, r in runs.items():
        chosen, pool_mean, best_train = r[:, 0], r[:, 1], r[:, 2]
        ri = 100 * (chosen - pool_mean) / pool_mean
        low, high = mean_interval(ri, "ri")
        ri_cells.append(judge(Cell(name, "RI over a random arch (%)", float(ri.mean()), low, high,
                                   n=seeds, digits=1)))
        diff = chosen - best_train
        dlow, dhigh = mean_interval(diff, "points")
        search_cells.append(judge(Cell(name, "pick minus random search's best (points)",
                                       float(diff.mean()), dlow, dhigh, n=seeds, digits=2)))
        word = "beats" if dlow > 0 else "is below" if dhigh < 0 else "is level with"
        findings.append(
            f"{name}: its pick ({chosen.mean():.2f}%) {word} random search with the same "
            f"{TRAIN_SIZE} evaluations ({best_train.mean():.2f}%): {diff.mean():+.2f} "
            f"[{dlow:+.2f}, {dhigh:+.2f}] points."
        )
    ranked = sorted(runs, key=lambda n: -runs[n][:, 0].mean())
    findings.insert(0, f"Best pick: {ranked[0]} ({runs[ranked[0]][:, 0].mean():.2f}%); worst: "
                       f"{ranked[-1]} ({runs[ranked[-1]][:, 0].mean():.2f}%).")
    protocol = (
        f"Protocol: `nb201` {DATASET} `{TARGET}` (200 epochs, seed mean); the splits of "
        f"`predictors.evaluate` (train {TRAIN_SIZE}, test {TEST_SIZE:,} disjoint archs, seeds "
        f"0..{seeds - 1}); each predictor fitted on the training archs picks its top-ranked test "
        "arch. RI = 100 (Acc_pick - Acc_mean) / Acc_mean with Acc_mean the test pool's mean "
        "accuracy; random search = the best training arch. Intervals: bootstrap of the mean over "
        "seeds. No published numbers: computed facts."
    )
    sections = [Section("Relative improvement over a random arch", ri_cells),
                Section("Against random search with the same evaluations", search_cells,
                        findings=findings)]
    return STUDY.report(protocol, sections)


STUDY = Study(
    name="frustratingly-hard",
    title="Relative improvement over random sampling for the leaderboard's predictors (NB201)",
    cite="Yang, Esperança & Carlucci, \"NAS evaluation is frustratingly hard\", ICLR 2020.",
    run=run,
    default_seeds=DEFAULT_SEEDS,
    needs=("nb201",),
)
