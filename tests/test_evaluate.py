"""The evaluation protocol: splits, determinism across executors, summaries, outputs, CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from predictors import evaluate as ev
from predictors.base import PredictorInputError
from predictors.baselines import TablePredictor

DATASET = "cifar10"
TARGET = "test_accuracy"
#: a small sweep: 3 predictors x 2 sizes x 2 seeds = 12 runs
SMALL = dict(train_sizes=(20, 60), test_size=300, seeds=2, progress=False)
PREDICTORS = ["xgb", "lgbm", "random"]
RUN_COLUMNS = ["spearman", "kendall", "pearson", "precision@10", "precision@50", "mae", "rmse"]


def test_splits_are_disjoint_nested_and_seeded():
    splits = ev.make_splits(5000, [10, 100, 1000], 1000, [0, 1])
    for test, trains in splits.values():
        assert len(test) == 1000 and len(set(test)) == 1000
        for size, train in trains.items():
            assert len(train) == size and not set(train) & set(test)
        assert set(trains[10]) <= set(trains[100]) <= set(trains[1000])
    again = ev.make_splits(5000, [10, 100, 1000], 1000, [1])
    np.testing.assert_array_equal(again[1][0], splits[1][0])
    assert not np.array_equal(splits[0][0], splits[1][0])
    with pytest.raises(PredictorInputError, match="needs 2,000"):
        ev.make_splits(1999, [1000], 1000, [0])


def test_candidates_restrict(nb201):
    rows, y = ev.candidates(nb201, DATASET, TARGET)
    assert len(rows) == 15625 and np.isfinite(y).all()
    rows, _ = ev.candidates(nb201, DATASET, "valid_accuracy_naslib", restrict=["zc/synflow"])
    assert len(rows) == 9445  # archs with the Suite-Zero proxies
    rows, _ = ev.candidates(nb201, DATASET, TARGET, restrict=["zc"])
    assert len(rows) == 9444  # one of them has the failed-proxy sentinel for 4 proxies
    rows, _ = ev.candidates(nb201, DATASET, TARGET, restrict=["zc/params"])
    assert len(rows) == 9723
    rows, _ = ev.candidates(nb201, DATASET, TARGET, restrict=["params"])  # computed from the cell
    assert len(rows) == 15625
    rows, _ = ev.candidates(nb201, DATASET, TARGET, archs=nb201.archs[:50])
    np.testing.assert_array_equal(rows, np.arange(50))


@pytest.fixture(scope="module")
def serial(nb201):
    return ev.evaluate(nb201, DATASET, TARGET, PREDICTORS, **SMALL)


def test_result_frame(serial):
    df = serial
    assert len(df) == 12
    assert list(df.columns[:7]) == [
        "benchmark", "dataset", "target", "predictor", "train_size", "seed", "test_size",
    ]
    assert set(RUN_COLUMNS + ["fit_seconds", "predict_seconds"]) <= set(df.columns)
    assert df.attrs["candidates"] == 15625 and df.attrs["seeds"] == [0, 1]
    xgb = df[(df.predictor == "xgb") & (df.train_size == 60)]
    rnd = df[df.predictor == "random"]
    assert (xgb["spearman"] > 0.5).all()  # measured 0.70 / 0.76
    assert (rnd["spearman"].abs() < 0.15).all() and rnd["mae"].isna().all()
    assert (df["fit_seconds"] >= 0).all()


def test_same_splits_for_every_predictor(nb201):
    """Two copies of a predictor under different names get identical numbers on every split."""
    from predictors import XGBPredictor

    model = XGBPredictor(n_estimators=50)
    df = ev.evaluate(nb201, DATASET, TARGET, {"a": model, "b": model, "r": "random"}, **SMALL)
    a = df[df.predictor == "a"][RUN_COLUMNS].reset_index(drop=True)
    b = df[df.predictor == "b"][RUN_COLUMNS].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def _numbers(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=["fit_seconds", "predict_seconds"]).sort_values(
        ["predictor", "train_size", "seed"]
    ).reset_index(drop=True)


def test_joblib_gives_same_numbers(nb201, serial):
    parallel = ev.evaluate(nb201, DATASET, TARGET, PREDICTORS, n_jobs=2, **SMALL)
    pd.testing.assert_frame_equal(_numbers(parallel), _numbers(serial))


def test_dask_gives_same_numbers(nb201, serial):
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        # by address, as `--scheduler ADDRESS` does
        df = ev.evaluate(nb201, DATASET, TARGET, PREDICTORS, scheduler=cluster.scheduler_address,
                         **SMALL)
        with Client(cluster) as client:  # or with a Client
            assert len(ev.evaluate(nb201, DATASET, TARGET, ["random"], scheduler=client,
                                   **SMALL)) == 4
    pd.testing.assert_frame_equal(_numbers(df), _numbers(serial))


def test_summary_interval(serial):
    summary = ev.summarize(serial)
    row = summary[(summary.predictor == "xgb") & (summary.train_size == 60)
                  & (summary.score == "spearman")].iloc[0]
    values = serial[(serial.predictor == "xgb") & (serial.train_size == 60)]["spearman"]
    assert row["mean"] == pytest.approx(values.mean()) and (row["n"], row["runs"], row["failed"]) == (2, 2, 0)
    # Fisher-z t-interval on two seeds: wide, but inside (-1, 1) and around the mean
    z = np.arctanh(values.to_numpy())
    from scipy.stats import t

    half = t.ppf(0.975, 1) * z.std(ddof=1) / np.sqrt(2)
    assert row["ci_high"] == pytest.approx(np.tanh(z.mean() + half))
    assert -1 < row["ci_low"] < row["mean"] < row["ci_high"] < 1
    assert not ((summary.predictor == "random") & (summary.score == "mae")).any()
    # other scores: a seeded percentile bootstrap, inside the range of the per-seed values
    mae = serial[(serial.predictor == "xgb") & (serial.train_size == 60)]["mae"].to_numpy()
    low, high = ev.seed_interval(mae, "mae")
    assert (low, high) == ev.seed_interval(mae, "mae")
    assert mae.min() <= low <= mae.mean() <= high <= mae.max()
    assert ev.seed_interval([0.5, 0.5, 0.5]) == (0.5, 0.5)
    assert np.isnan(ev.seed_interval([0.7])[0])


class FlakyOracle(TablePredictor):
    """Ranks by the target itself (Spearman 1), but raises on seed 1: the best mean, yet partial."""

    def __init__(self, bench=None, dataset=None, metric=TARGET, sign="direction", budget=None,
                 random_state=0):
        super().__init__(bench, dataset, metric, sign, budget)
        self.random_state = random_state

    def _fit(self, archs, y):
        if self.random_state == 1:
            raise RuntimeError("flaky on seed 1")
        super()._fit(archs, y)


def test_failed_runs_are_counted_not_averaged(nb201, tmp_path):
    """lgbm-default predicts a constant from 20 archs (min_child_samples=20): a failure, like a
    raise; the mean says over how many seeds it is and a partial entry is never bold."""
    df = ev.evaluate(nb201, DATASET, TARGET,
                     {"oracle": FlakyOracle(), "lgbm-default": "lgbm-default", "xgb": "xgb"},
                     **SMALL)
    oracle = df[df.predictor == "oracle"].set_index("seed")
    assert oracle.loc[1, "error"].iloc[0] == "raised RuntimeError: flaky on seed 1"
    assert oracle.loc[1, RUN_COLUMNS].isna().all().all() and (oracle.loc[0, "spearman"] == 1).all()
    lgbm = df[(df.predictor == "lgbm-default") & (df.train_size == 20)]
    assert (lgbm["error"] == "constant predictions (no ranking)").all() and lgbm["spearman"].isna().all()
    summary = ev.summarize(df, ["spearman"]).set_index(["predictor", "train_size"])
    assert tuple(summary.loc[("oracle", 60), ["mean", "n", "runs", "failed"]]) == (1.0, 1, 2, 1)
    assert tuple(summary.loc[("lgbm-default", 20), ["n", "failed"]]) == (0, 2)
    text = ev.leaderboard_markdown(df)
    oracle_line = next(line for line in text.splitlines() if line.startswith("| oracle |"))
    assert "1.000 (1/2 seeds)" in oracle_line and "**" not in oracle_line
    assert "| - (0/2 seeds) |" in text  # every lgbm-default run at n=20 failed
    scores_row = [line for line in text.splitlines() if line.startswith("| oracle |")][1]
    assert scores_row.endswith("| 1/2 |")  # the all-scores table counts the seeds too
    xgb_line = next(line for line in text.splitlines() if line.startswith("| xgb |"))
    assert xgb_line.count("**") == 4  # the complete best is bold at both sizes
    ev.plot_curves(df, tmp_path / "c.png")  # partial points drawn hollow, no error
    # a predictor that raises on every run is a mistake, not a result
    with pytest.raises(PredictorInputError, match="'x' failed on all 2 runs: RuntimeError: flaky"):
        ev.evaluate(nb201, DATASET, TARGET, {"x": FlakyOracle()}, **dict(SMALL, seeds=[1]))


def test_markdown_and_plot(serial, tmp_path):
    text = ev.leaderboard_markdown(serial, title="t")
    assert text.startswith("### t") and "| predictor | n=20 | n=60 |" in text
    ranked = [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ")]
    assert ranked[1] in ("xgb", "lgbm") and ranked[3] == "random"  # ranked by n=60
    import matplotlib

    backend = matplotlib.get_backend()
    paths = ev.plot_curves(serial, [tmp_path / "c.png", tmp_path / "c.svg"])
    assert paths[0].read_bytes()[:4] == b"\x89PNG" and b"<svg" in paths[1].read_bytes()[:400]
    assert matplotlib.get_backend() == backend  # a notebook's inline backend stays


def test_errors(nb201):
    with pytest.raises(PredictorInputError, match="restrict"):
        ev.evaluate(nb201, DATASET, TARGET, ["zc/params"], **SMALL)  # covers 9,723 of 15,625
    with pytest.raises(PredictorInputError, match="distinct names"):
        ev.evaluate(nb201, DATASET, TARGET, ["xgb", "xgb"], **SMALL)
    with pytest.raises(PredictorInputError, match="train sizes"):
        ev.evaluate(nb201, DATASET, TARGET, ["xgb"], train_sizes=[1], progress=False)
    with pytest.raises(KeyError, match="known: "):
        ev.evaluate(nb201, DATASET, "accuracy", ["xgb"], **SMALL)
    with pytest.raises(PredictorInputError, match="only 50 candidate archs"):
        ev.evaluate(nb201, DATASET, TARGET, ["xgb"], archs=nb201.archs[:50], **SMALL)


def test_cli(tmp_path, capsys):
    from predictors.cli import main

    code = main(["nb201", "--dataset", DATASET, "--predictors", "xgb,random,zc/synflow",
                 "--restrict", "zc/synflow", "--train-sizes", "20", "--test-size", "200",
                 "--seeds", "0,5", "--out", str(tmp_path), "--no-progress"])
    assert code == 0
    stem = "nb201-cifar10-test_accuracy"
    for suffix in (".csv", "-summary.csv", ".md", ".png", ".svg"):
        assert (tmp_path / f"{stem}{suffix}").stat().st_size > 0
    df = pd.read_csv(tmp_path / f"{stem}.csv")
    assert sorted(df.seed.unique()) == [0, 5] and len(df) == 6
    assert "9,445 candidate archs" in capsys.readouterr().out
    assert main(["nb201", "--dataset", "cifar11", "--no-progress"]) == 2
    assert "unknown dataset" in capsys.readouterr().err
    assert main(["nb201", "--dataset", DATASET, "--train-sizes", "x"]) == 2
    # the default sweep leaves out baselines whose column the dataset lacks, and says so
    assert main(["nbgraph", "--dataset", "cora", "--train-sizes", "10", "--test-size",
                 "100", "--seeds", "1", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "note: flops left out" in captured.err and "| lgbm-plus |" in captured.out


@pytest.mark.parametrize(
    "kwargs",
    [{"train_sizes": [2.5]}, {"train_sizes": [True]}, {"test_size": 10.0}, {"seeds": 1.5},
     {"seeds": True}, {"seeds": [0, 0]}, {"seeds": [3, -2]}],
)
def test_protocol_sizes_must_be_integers(kwargs):
    args = {"train_sizes": [10], "test_size": 10, "seeds": 1, **kwargs}
    # one message naming the argument (a negative seed reached numpy's SeedSequence before)
    with pytest.raises(PredictorInputError, match="train sizes|test size|seeds"):
        ev.evaluate("nb201", "cifar10", "test_accuracy", ["random"], **args)
