"""The query API: values from the real NB201 files, defaults, vectorised queries, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import nasbench
from nasbench import InvalidArgumentError, UnknownArchitectureError, UnknownNameError
from nasbench.spaces.nb201 import SPACE
from nasbench.store import Column, write_store

ARCH1 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


@pytest.fixture(scope="module")
def raw_seed_means(data_root):
    return json.loads((data_root / "nb201/badar-e-alam-nas/data.json").read_text())


# -- real values ---------------------------------------------------------------------------------
def test_query_returns_the_number_in_the_source_file(nb201, raw_seed_means):
    rng = np.random.default_rng(0)
    for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
        for i in rng.choice(15625, size=100, replace=False):
            raw = raw_seed_means[dataset][str(i)]
            assert nb201.query(int(i), dataset, "test_accuracy") == raw[3]
            assert nb201.query(nb201.archs[i], dataset, "train_loss") == raw[0]


@pytest.mark.parametrize(
    ("dataset", "best", "indices"),
    [("cifar10", 94.37, {6111, 13714}), ("cifar100", 73.51, {9930}), ("ImageNet16-120", 47.31, {857})],
)
def test_best_200_epoch_test_accuracy(nb201, dataset, best, indices):
    values = nb201.values(dataset, "test_accuracy")
    assert round(float(values.max()), 2) == best
    assert set(np.flatnonzero(values == values.max())) == indices
    top = nb201.top(dataset, "test_accuracy", k=len(indices))
    assert set(top["index"]) == indices


def test_vectorised_queries_match_single_ones(nb201):
    rows = np.array([0, 1, 6111, 15624])
    by_index = nb201.query(rows, "cifar10", "test_accuracy")
    by_string = nb201.query([nb201.archs[i] for i in rows], "cifar10", "test_accuracy")
    by_cell = nb201.query([SPACE.parse(nb201.archs[i]) for i in rows], "cifar10", "test_accuracy")
    singles = [nb201.query(int(i), "cifar10", "test_accuracy") for i in rows]
    np.testing.assert_array_equal(by_index, singles)
    np.testing.assert_array_equal(by_string, singles)
    np.testing.assert_array_equal(by_cell, singles)
    assert isinstance(nb201.query(ARCH1, "cifar10", "test_accuracy"), float)


def test_frame_has_one_row_per_arch_with_the_queried_values(nb201):
    frame = nb201.frame("cifar100", ["test_accuracy", "train_accuracy"])
    assert isinstance(frame, pd.DataFrame) and len(frame) == 15625
    assert frame.loc[ARCH1, "test_accuracy"] == nb201.query(1, "cifar100", "test_accuracy")
    assert frame["index"].tolist() == list(range(15625))


def test_filter_keeps_exactly_the_archs_in_range(nb201):
    good = nb201.filter("cifar10", "test_accuracy", min=94.0)
    assert all(nb201.query(a, "cifar10", "test_accuracy") >= 94.0 for a in good) and good
    values = nb201.values("cifar10", "test_accuracy")
    assert len(nb201.filter("cifar10", "test_accuracy", min=90, max=91)) == int(
        ((values >= 90) & (values <= 91)).sum()
    )
    # bounds that select nothing by construction are refused (they returned [] in silence)
    with pytest.raises(InvalidArgumentError, match="min 91 is above max 90"):
        nb201.filter("cifar10", "test_accuracy", min=91, max=90)
    with pytest.raises(InvalidArgumentError, match="min must be a number or None, got nan"):
        nb201.filter("cifar10", "test_accuracy", min=float("nan"))


def test_len_contains_and_iteration_follow_the_official_order(nb201):
    assert len(nb201) == 15625 and ARCH1 in nb201 and "nonsense" not in nb201 and 15625 not in nb201
    assert next(iter(nb201)) == SPACE.arch_at(0)
    assert nb201.index(ARCH1) == 1 and nb201.row(ARCH1) == 1


def test_sample_is_seeded_and_without_replacement(nb201):
    picked = nb201.sample(20, seed=1)
    assert picked == nb201.sample(20, seed=1) and len(set(picked)) == 20


def test_describe_prints_the_defaults(nb201):
    text = str(nb201.describe("cifar10", "test_accuracy"))
    assert "unit        %" in text and "split       test" in text
    assert "default: 200 epochs, the full budget" in text
    assert "higher is better" in text
    table = nb201.catalog("cifar10")
    assert set(table["dataset"]) == {"cifar10"} and "test_accuracy" in set(table["metric"])


# -- errors --------------------------------------------------------------------------------------
def test_unknown_names_list_what_exists(nb201):
    with pytest.raises(UnknownNameError, match="unknown dataset of nb201 'cifar-10'; did you mean 'cifar10'\\? known: .*cifar100"):
        nb201.query(0, "cifar-10", "test_accuracy")
    with pytest.raises(KeyError, match="unknown metric of nb201/cifar10 'accuracy'; did you mean '.*_accuracy'"):
        nb201.query(0, "cifar10", "accuracy")
    with pytest.raises(UnknownNameError, match="unknown benchmark 'nb999'; known: .*nb201"):
        nasbench.load("nb999")


def test_unknown_architectures_say_why(nb201):
    with pytest.raises(UnknownArchitectureError, match="not in the nb201 table; not a valid nb201 arch.*unknown op 'conv'"):
        nb201.query("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "cifar10", "test_accuracy")
    with pytest.raises(UnknownArchitectureError, match="indices run from 0 to 15624"):
        nb201.query(20000, "cifar10", "test_accuracy")
    with pytest.raises(UnknownArchitectureError, match="indices run from 0 to 15624"):
        nb201.query(np.array([1, -1]), "cifar10", "test_accuracy")
    with pytest.raises(KeyError):  # UnknownArchitectureError is a KeyError, as users expect
        nb201.query(["|x~0|"], "cifar10", "test_accuracy")


# -- budgets, seeds and curves on a small store written here -------------------------------------
@pytest.fixture
def toy(tmp_path):
    archs = [SPACE.arch_at(i) for i in range(3)]
    seeds = np.array([[1.0, 3.0, np.nan], [2.0, np.nan, np.nan], [np.nan, np.nan, np.nan]])
    curve = np.arange(3 * 2 * 4, dtype=float).reshape(3, 2, 4)
    columns = [
        Column("c", "acc", seeds, unit="%", split="test", budget=200, aggregation="seeds", direction="max"),
        Column("c", "acc", [70.0, 71.0, 72.0], unit="%", split="test", budget=12, direction="max"),
        Column("c", "loss", curve, unit="nats", split="train", budget=4, aggregation="curve", direction="min"),
        Column("c", "latency/cpu", [3.0, 1.0, 2.0], unit="ms", aggregation="single", direction="min"),
    ]
    path = write_store(tmp_path / "toy.h5", name="toy", space="nb201", archs=archs, columns=columns)
    with nasbench.Benchmark(path) as bench:
        yield bench


def test_budget_and_seed_defaults(toy):
    # default: full budget (200), mean over the seeds that exist
    np.testing.assert_array_equal(toy.query([0, 1, 2], "c", "acc"), [2.0, 2.0, np.nan])
    assert toy.query(0, "c", "acc", budget=12) == 70.0
    assert toy.query(0, "c", "acc", seed=1) == 3.0
    assert np.isnan(toy.query(1, "c", "acc", seed=1))
    np.testing.assert_array_equal(toy.query(0, "c", "acc", seed="all"), [1.0, 3.0, np.nan])
    assert toy.query([0, 1], "c", "acc", seed="all").shape == (2, 3)
    with pytest.raises(ValueError, match=r"seed must be None \(mean\), 'all', or an int in 0..2"):
        toy.query(0, "c", "acc", seed=5)
    with pytest.raises(ValueError, match="not stored per seed"):
        toy.query(0, "c", "acc", budget=12, seed=0)
    with pytest.raises(KeyError, match="unknown budget of c/acc"):
        toy.query(0, "c", "acc", budget=50)
    desc = toy.describe("c", "acc")
    assert desc.budgets == (12, 200) and desc.default_budget == 200 and desc.per_seed
    assert "mean over up to 3 seeds" in str(desc)


def test_curve_value_is_the_final_epoch_mean_over_seeds(toy):
    # arch 0: seeds' final epochs are 3 and 7 -> 5 (the loss exists at 4 epochs only, so the
    # 200-epoch default of dataset "c" does not apply: see test_default_never_switches_schedule)
    assert toy.query(0, "c", "loss", budget=4) == 5.0


def test_top_respects_direction(toy):
    assert toy.top("c", "latency/cpu", k=2)["index"].tolist() == [1, 2]
    assert toy.top("c", "acc", k=1, budget=12)["index"].tolist() == [2]


def test_default_budget_is_the_one_covering_the_table(tmp_path):
    """A longer schedule run for a few archs only (as in SpikeNAS) is not the default."""
    archs = [SPACE.arch_at(i) for i in range(3)]
    columns = [
        Column("c", "acc", [90.0, np.nan, np.nan], unit="%", budget=200, direction="max"),
        Column("c", "acc", [80.0, 81.0, 82.0], unit="%", budget=100, direction="max"),
    ]
    path = write_store(tmp_path / "s.h5", name="s", space="nb201", archs=archs, columns=columns)
    with nasbench.Benchmark(path) as bench:
        np.testing.assert_array_equal(bench.query([0, 1, 2], "c", "acc"), [80.0, 81.0, 82.0])
        assert bench.query(0, "c", "acc", budget=200) == 90.0
        assert bench.describe("c", "acc").default_budget == 100


def test_computed_params_equal_suite_zero_params(nb201):
    """The analytic count agrees with NAS-Bench-Suite-Zero's measured params on every arch it has."""
    for dataset in ("cifar10", "ImageNet16-120"):
        theirs = nb201.values(dataset, "zc/params")
        covered = np.isfinite(theirs)
        assert covered.sum() >= 9722
        np.testing.assert_allclose(nb201.values(dataset, "params")[covered], theirs[covered], atol=1e-9)
    assert np.isfinite(nb201.values("cifar100", "flops")).all()


def test_pickles_by_reopening_the_store(nb201):
    import copy
    import pickle

    clone = pickle.loads(pickle.dumps(nb201))
    assert clone.path == nb201.path and clone.query(6111, "cifar10", "test_accuracy") == nb201.query(
        6111, "cifar10", "test_accuracy"
    )
    assert copy.deepcopy(nb201) is nb201  # a read-only view: copies share it


# -- no silent wrong answers: one test per class of defect ---------------------------------------
@pytest.mark.parametrize(
    "bad",
    [b"|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|", bytearray(b"|x~0|"), True,
     np.True_, 1.0, np.float32(6111), 1 + 2j, [b"ab"], [True], np.array([True, False]),
     np.array([0.0, 1.0]), np.array([[0, 1]])],
)
def test_values_that_are_no_arch_are_refused_not_reinterpreted(nb201, bad):
    with pytest.raises(nasbench.InvalidArgumentError):
        nb201.query(bad, "cifar10", "test_accuracy")


def test_negative_and_out_of_range_indices_are_unknown_archs(nb201):
    for bad in (-1, np.int64(-5), 15625, [0, -1], np.array([3, 15625])):
        with pytest.raises(UnknownArchitectureError):
            nb201.query(bad, "cifar10", "test_accuracy")


def test_an_int_is_the_official_index_where_rows_differ():
    """NAS-Bench-Graph: row 8 holds official key 11 (26,198 archs have key != row)."""
    graph = nasbench.load("nbgraph")
    space = graph.space
    keys = [11, 87072, space.key(graph.archs[-1])]
    for key in keys:
        arch = space.from_key(key)
        assert graph.query(key, "cora", "test_accuracy") == graph.query(arch, "cora", "test_accuracy")
        assert graph.index(arch) == key
    assert graph.row(space.from_key(11)) == 8 and graph.index(graph.archs[8]) == 11
    np.testing.assert_array_equal(
        graph.query(np.array(keys), "cora", "test_accuracy"),
        graph.query([space.from_key(k) for k in keys], "cora", "test_accuracy"),
    )
    assert sum(space.key(a) != i for i, a in enumerate(graph.archs[:2000])) > 1900
    for bad in (8, 10**12):  # key 8 is no canonical key; 10**12 is out of range
        with pytest.raises(UnknownArchitectureError):
            graph.query(bad, "cora", "test_accuracy")


def test_an_int_is_refused_where_the_benchmark_has_no_official_index():
    macro = nasbench.load("nbmacro")
    assert not macro.has_official_index
    with pytest.raises(nasbench.InvalidArgumentError, match="no official integer index"):
        macro.query(10, "cifar10", "test_accuracy")
    with pytest.raises(nasbench.InvalidArgumentError):
        macro.index("00000010")
    # an all-digit string is the arch it spells, never a row number
    assert macro.row("00000010") == int("00000010", 3) != 10
    assert macro.query("12000000", "cifar10", "test_accuracy") == macro.values("cifar10", "test_accuracy")[
        macro.row("12000000")]


def _missing_budget_store(tmp_path):
    archs = [SPACE.arch_at(i) for i in range(3)]
    columns = [
        Column("c", "test_accuracy", [90.0, 91.0, 92.0], unit="%", split="test", budget=200, direction="max"),
        Column("c", "valid_accuracy", [70.0, 71.0, 72.0], unit="%", split="valid", budget=12, direction="max"),
        Column("c", "params", [1.0, 2.0, 3.0], unit="M", aggregation="single"),
    ]
    return write_store(tmp_path / "s.h5", name="s", space="nb201", archs=archs, columns=columns)


def test_default_never_switches_schedule(tmp_path):
    """A metric without a value at the dataset's full budget (200) does not answer with its
    12-epoch value: it names the budgets that exist."""
    with nasbench.Benchmark(_missing_budget_store(tmp_path)) as bench:
        with pytest.raises(nasbench.MissingBudgetError,
                           match=r"c/valid_accuracy has no 200-epoch values .*budgets: 12 \(use budget=12\)"):
            bench.query(0, "c", "valid_accuracy")
        with pytest.raises(KeyError):  # the error is a KeyError, as unknown names are
            bench.values("c", "valid_accuracy")
        assert bench.query(0, "c", "valid_accuracy", budget=12) == 70.0
        assert bench.query(0, "c", "params") == 1.0  # no schedule applies: budget None
        desc = bench.describe("c", "valid_accuracy")
        assert desc.default_budget is None and desc.full_budget == 200 and desc.budget == 12
        assert "default: none, c/valid_accuracy has no 200-epoch values" in str(desc)
        assert "budget used 12 epochs" in str(desc)
        assert "valid_accuracy" not in bench.frame("c").columns  # not filled with 12-epoch values
        assert list(bench.frame("c", budget=12).columns) == ["row", "index", "valid_accuracy"]


def test_cli_prints_the_budget_used_and_refuses_a_missing_default(tmp_path, capsys):
    from nasbench import cli

    path = str(_missing_budget_store(tmp_path))
    assert cli.main(["query", path, "0", "-d", "c", "-m", "test_accuracy"]) == 0
    assert "test_accuracy at 200" in capsys.readouterr().out
    assert cli.main(["query", path, "0", "-d", "c", "-m", "valid_accuracy"]) == 2
    assert "budgets: 12 (use budget=12)" in capsys.readouterr().err
    assert cli.main(["query", path, "0", "-d", "c", "-m", "valid_accuracy", "-b", "12"]) == 0
    assert "valid_accuracy at 12" in capsys.readouterr().out


def test_arguments_out_of_range_are_errors(nb201, tmp_path):
    with pytest.raises(KeyError, match="no 3-epoch values"):
        nb201.frame("cifar10", budget=3)
    for k in (-1, 0, 2.5, True):
        with pytest.raises(nasbench.InvalidArgumentError, match="k must be an int >= 1"):
            nb201.top("cifar10", "test_accuracy", k=k)
    nb201.query(0, "cifar10", "test_accuracy", seed=1)  # cached answers must not serve True / 1.0
    nb201.query(0, "cifar10", "test_accuracy", budget=200)
    for seed in (True, 1.0, "1", -1):
        with pytest.raises(ValueError, match="seed"):
            nb201.query(0, "cifar10", "test_accuracy", seed=seed)
    with pytest.raises(TypeError):
        nb201.describe(metric="test_accuracy")  # a dataset is required
    with pytest.raises(nasbench.InvalidArgumentError, match="budget"):
        nb201.query(0, "cifar10", "test_accuracy", budget=200.0)


# -- convenience ------------------------------------------------------------------------------------
def test_several_metrics_in_one_query_give_a_frame(nb201):
    frame = nb201.query([ARCH1, 6111], "cifar10", ["test_accuracy", "params", "latency/edgegpu"])
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["test_accuracy", "params", "latency/edgegpu"]
    assert list(frame.index) == [ARCH1, SPACE.arch_at(6111)]
    assert frame.loc[ARCH1, "params"] == nb201.query(ARCH1, "cifar10", "params")
    assert frame.iloc[1, 0] == nb201.query(6111, "cifar10", "test_accuracy")
    one = nb201.query(6111, "cifar10", ["test_accuracy"])
    assert one.shape == (1, 1)
    with pytest.raises(nasbench.InvalidArgumentError, match="seed='all'"):
        nb201.query(0, "cifar10", ["test_accuracy"], seed="all")


def test_pareto_is_the_non_dominated_set(nb201):
    small = {"params": (None, 0.3)}  # 4,096 candidates keep the brute-force check quick
    front = nb201.pareto("cifar10", ["test_accuracy", "latency/edgegpu"], constraints=small)
    acc = nb201.values("cifar10", "test_accuracy")
    lat = nb201.values("cifar10", "latency/edgegpu")
    ok = np.flatnonzero(np.isfinite(acc) & np.isfinite(lat) & (nb201.values("cifar10", "params") <= 0.3))
    points = np.stack([acc[ok], -lat[ok]], axis=1)
    dominated = np.concatenate([  # brute force, 512 points against all at a time
        ((points[None] >= chunk[:, None]).all(-1) & (points[None] > chunk[:, None]).any(-1)).any(1)
        for chunk in np.array_split(points, max(1, len(points) // 512))
    ])
    assert sorted(front["row"]) == sorted(ok[~dominated].tolist())
    assert front["test_accuracy"].is_monotonic_decreasing
    assert front["test_accuracy"].iloc[0] == acc[ok].max()
    three = nb201.pareto("cifar10", {"test_accuracy": None, "latency/edgegpu": None, "params": "min"},
                         constraints=small)
    assert set(front["row"]) <= set(three["row"])
    assert len(nb201.pareto("cifar10", ["test_accuracy", "latency/edgegpu"])) == 25
    with pytest.raises(nasbench.InvalidArgumentError, match="no stated direction"):
        nb201.pareto("cifar10", ["test_accuracy", "arithmetic_intensity/eyeriss"])


def test_find_best_respects_constraints(nb201):
    arch, value = nb201.find_best("cifar10", "test_accuracy")
    assert value == np.nanmax(nb201.values("cifar10", "test_accuracy"))
    arch, value = nb201.find_best("cifar10", "test_accuracy", constraints={"params": 0.5})
    params = nb201.values("cifar10", "params")
    acc = nb201.values("cifar10", "test_accuracy")
    assert nb201.query(arch, "cifar10", "params") <= 0.5
    assert value == np.nanmax(np.where(params <= 0.5, acc, np.nan))
    with pytest.raises(nasbench.InvalidArgumentError, match="no arch"):
        nb201.find_best("cifar10", "test_accuracy", constraints={"params": (None, 0.0)})


def test_curve_reads_only_the_rows_asked(toy):
    full = toy._read(next(i for (b, a), i in toy._variants("c", "loss").items() if a == "curve"))
    np.testing.assert_array_equal(toy.curve([2, 0, 2], "c", "loss", budget=4), full[[2, 0, 2]])
    np.testing.assert_array_equal(toy.curve(1, "c", "loss", budget=4), full[1])
    # the loss curve exists for the 4-epoch schedule only: the 200-epoch default does not switch
    with pytest.raises(nasbench.MissingBudgetError, match=r"c/loss curve has no 200-epoch values .*budget=4"):
        toy.curve(1, "c", "loss")


def test_one_arch_without_a_curve_is_an_error_naming_the_rows_that_have_one(tmp_path):
    archs = [SPACE.arch_at(i) for i in range(12)]
    curve = np.full((12, 5), np.nan)
    curve[[0, 1, 2, 7]] = np.arange(5.0)
    columns = [Column("c", "loss", curve, unit="nats", split="train", budget=5, aggregation="curve")]
    path = write_store(tmp_path / "s.h5", name="s", space="nb201", archs=archs, columns=columns)
    with nasbench.Benchmark(path) as bench:
        np.testing.assert_array_equal(bench.curve(7, "c", "loss"), np.arange(5.0))
        with pytest.raises(ValueError, match=r"s has a c/loss curve \(budget 5\) for 4 of 12 archs "
                                             r"\(rows 0-2, 7\); arch 5 has none"):
            bench.curve(5, "c", "loss")
        many = bench.curve([5, 7], "c", "loss")  # many archs: NaN rows, no error
        assert np.isnan(many[0]).all() and (many[1] == np.arange(5.0)).all()
