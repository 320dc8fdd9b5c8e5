"""The official NATS-Bench simple-format reader, the NATS-sss space and `nasbench convert nats`.

Everything is checked on the real official files (meta lists of 15,625 tss / 32,768 sss archs and
the complete records of archs 0, 11 and 284) and against the nb201 store built from other sources.
"""

from __future__ import annotations

import pickle
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import nasbench
from nasbench import cli
from nasbench.readers import nats
from nasbench.spaces.nats_sss import SPACE as SSS

SAMPLE = (0, 11, 284)
#: mean over seeds 777/888/999 of cifar10 ori-test@199 (PROVENANCE of nats-bench-official)
CIFAR10_TEST_MEANS = (85.8633, 91.5833, 88.79)


@pytest.fixture(scope="module")
def tss_dir(data_root) -> Path:
    return data_root / "nb201/nats-bench-official/NATS-tss-v1_0-3ffb9-simple"


@pytest.fixture(scope="module")
def sss_dir(data_root) -> Path:
    return data_root / "nb201/nats-bench-official/NATS-sss-v1_0-50262-simple"


@pytest.fixture(scope="module")
def tss_records(tss_dir):
    return {i: nats.read_record(tss_dir, i) for i in SAMPLE}


@pytest.fixture(scope="module")
def converted(tss_dir, tmp_path_factory):
    """`nasbench convert nats` on the tss sample, curves included, through the CLI."""
    out = tmp_path_factory.mktemp("nats") / "nats_tss.h5"
    assert cli.main(["convert", "nats", str(tss_dir), "--out", str(out)]) == 0
    bench = nasbench.Benchmark(out)
    yield bench
    bench.close()
    out.unlink()  # ~1.2 GB of mostly NaN curves while stores are written uncompressed


# -- the NATS-sss space ------------------------------------------------------------------------
def test_sss_official_order_is_the_product_order(sss_dir):
    meta = nats.read_meta(sss_dir)
    assert meta.kind == "sss" and meta.space == "nats_sss"
    assert len(meta.archs) == SSS.size == 32768
    assert list(SSS.enumerate()) == meta.archs
    for i in (0, 1, 11, 284, 4095, 32767):
        assert SSS.index(meta.archs[i]) == i
        assert SSS.arch_at(i) == meta.archs[i]
    assert SSS.arch_at(284) == "8:8:40:32:40"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("8:16:32:64", "4 ':'-separated widths"),
        ("8:16:32:64:65", "layer 4 width 65"),
        ("8:16:x:64:64", "layer 2 width 'x'"),
        ("", "expected 5"),
    ],
)
def test_sss_parse_names_the_wrong_part(text, needle):
    with pytest.raises(ValueError, match=needle):
        SSS.parse(text)


def test_sss_space_operations():
    arch = "8:16:32:64:64"
    assert SSS.parse(arch) == (8, 16, 32, 64, 64)
    assert SSS.to_string(" 8: 16:32:64:64") == arch
    assert SSS.canonical(arch) == arch and SSS.canonical_hash(arch) != SSS.canonical_hash("8:8:8:8:8")
    nbrs = SSS.neighbours(arch)
    assert len(nbrs) == len(set(nbrs)) == 35 and arch not in nbrs
    assert all(sum(a != b for a, b in zip(SSS.parse(n), SSS.parse(arch))) == 1 for n in nbrs)
    onehot = SSS.encode([arch, "64:64:64:64:64"])
    assert onehot.shape == (2, 40) and (onehot.sum(axis=1) == 5).all()
    assert onehot[0].reshape(5, 8).argmax(axis=1).tolist() == [0, 1, 3, 7, 7]
    assert SSS.encode(arch, "ordinal").tolist() == [8, 16, 32, 64, 64]
    with pytest.raises(ValueError, match="onehot, ordinal"):
        SSS.encode(arch, "path")
    assert SSS.sample(5, seed=1) == SSS.sample(5, seed=1)
    assert all(SSS.is_valid(a) for a in SSS.sample(50, seed=0))
    feats, edges = SSS.to_graph(arch)
    assert feats.shape == (5, 8) and edges.tolist() == [[0, 1, 2, 3], [1, 2, 3, 4]]
    with pytest.raises(IndexError):
        SSS.arch_at(32768)


# -- reading the official files -----------------------------------------------------------------
def test_tss_meta_is_the_nb201_official_order(tss_dir):
    from nasbench.spaces.nb201 import SPACE as NB201

    meta = nats.read_meta(tss_dir)
    assert meta.kind == "tss" and meta.space == "nb201"
    assert meta.archs == list(NB201.official_order)
    assert sorted(nats.record_files(tss_dir)) == list(SAMPLE)


def test_tss_records_hold_the_published_values(tss_records):
    for index, expected in zip(SAMPLE, CIFAR10_TEST_MEANS):
        record = tss_records[index]
        assert record.hps == ["12", "200"]
        assert record.seeds("200", "cifar10") == [777, 888, 999]
        assert record.seeds("12", "cifar10-valid") == [111, 777]
        finals = [record.runs[("200", "cifar10", s)].evals["ori-test"]["accuracy"][-1]
                  for s in (777, 888, 999)]
        assert round(float(np.mean(finals)), 4) == expected
    run = tss_records[0].runs[("200", "cifar10-valid", 777)]
    assert run.epochs == 200 and run.train["accuracy"].shape == (200,)
    # cifar10-valid evaluates ori-test only after the last epoch
    assert np.isnan(run.evals["ori-test"]["accuracy"][:-1]).all()
    assert np.isfinite(run.evals["x-valid"]["accuracy"]).all()
    assert run.params == pytest.approx(0.129306) and run.flops == pytest.approx(15.64737)
    assert 0 < run.latency < 1  # seconds


def test_sss_record_value(sss_dir):
    record = nats.read_record(sss_dir, 0)
    assert record.arch == "8:8:8:8:8" and record.hps == ["01", "12", "90"]
    run = record.runs[("90", "cifar10-valid", 777)]
    assert run.evals["x-valid"]["accuracy"][89] == pytest.approx(76.888, abs=1e-4)
    with pytest.raises(FileNotFoundError, match="000005.pickle.pbz2"):
        nats.read_record(sss_dir, 5)


def test_not_a_nats_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="meta.pickle.pbz2"):
        nats.read_meta(tmp_path)


def _fake_class(module: str, name: str) -> type:
    mod = sys.modules.setdefault(module, types.ModuleType(module))
    cls = type(name, (), {"__module__": module})
    setattr(mod, name, cls)
    return cls


def test_unpickler_maps_official_classes_and_refuses_others(tmp_path, monkeypatch):
    import bz2

    # a record pickled as an object of the official package (as the '-full' files may be)
    monkeypatch.setitem(sys.modules, "nats_bench", types.ModuleType("nats_bench"))
    monkeypatch.setitem(sys.modules, "nats_bench.api_utils", types.ModuleType("nats_bench.api_utils"))
    cls = _fake_class("nats_bench.api_utils", "ArchResults")
    obj = cls()
    obj.arch_index, obj.all_results = 7, {("cifar10", 777): {"x": np.float64(1.5)}}
    path = tmp_path / "obj.pickle.pbz2"
    with bz2.open(path, "wb") as fh:
        pickle.dump(obj, fh)
    monkeypatch.delitem(sys.modules, "nats_bench.api_utils")
    monkeypatch.delitem(sys.modules, "nats_bench")
    assert nats.load_pickle(path) == {"arch_index": 7, "all_results": {("cifar10", 777): {"x": 1.5}}}

    with bz2.open(path, "wb") as fh:
        pickle.dump(Path("x"), fh)  # any other global is refused, never imported
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        nats.load_pickle(path)


# -- columns -------------------------------------------------------------------------------------
def _by_path(columns):
    return {c.path: c for c in columns}


def test_columns_match_the_nb201_store(tss_dir, nb201):
    cols = _by_path(nats.to_columns(tss_dir, curves=False))
    rows = list(SAMPLE)
    checked_exact = checked_close = 0
    for col in cols.values():
        if col.aggregation != "mean":
            continue
        try:
            ref = nb201.query(rows, col.dataset, col.metric, budget=col.budget)
        except (KeyError, ValueError):
            continue  # the nb201 store has no such metric / budget
        got = col.values[rows]
        if col.dataset == "cifar10" or col.budget == 12:
            # same numbers, same arithmetic: bitwise equal
            np.testing.assert_array_equal(got, ref, err_msg=col.path)
            checked_exact += 1
        else:
            # cifar10-valid @200 comes from a CSV printed with fewer digits, and NB201 v1_1's
            # cifar100 / ImageNet16-120 x-test values differ from NATS v1_0 in the 8th digit
            np.testing.assert_allclose(got, ref, rtol=2e-7, err_msg=col.path)
            checked_close += 1
    for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
        assert f"/{dataset}/test_accuracy@200" in cols
    np.testing.assert_array_equal(
        cols["/cifar10/test_accuracy@200"].values[rows], nb201.query(rows, "cifar10", "test_accuracy")
    )
    assert checked_exact >= 4 and checked_exact + checked_close >= 10
    # no record: NaN
    assert np.isnan(cols["/cifar10/test_accuracy@200"].values[1])
    assert cols["/cifar10/test_accuracy@200"].values.shape == (15625,)


def test_columns_for_a_subset_with_curves(tss_dir, tss_records):
    meta = nats.read_meta(tss_dir)
    archs = [meta.archs[284], meta.archs[5], meta.archs[0]]  # any order, with an arch lacking data
    cols = _by_path(nats.to_columns(tss_dir, archs))
    seeds = cols["/cifar10-valid/valid_accuracy@200.seeds"]
    assert "seeds 777, 888, 999" in seeds.description
    run = tss_records[284].runs[("200", "cifar10-valid", 888)]
    assert seeds.values[0, 1] == run.evals["x-valid"]["accuracy"][-1]
    assert np.isnan(seeds.values[1]).all()
    curve = cols["/cifar10-valid/valid_accuracy@200.curve"].values
    assert curve.shape == (3, 3, 200)
    np.testing.assert_array_equal(curve[0, 1], run.evals["x-valid"]["accuracy"])
    # train_time: cumulative curve whose end is the scalar total
    tt = cols["/cifar10-valid/train_time@200.curve"].values
    np.testing.assert_array_equal(tt[2, 0], np.cumsum(tss_records[0].runs[("200", "cifar10-valid", 777)].train["time"]))
    assert cols["/cifar10-valid/train_time@200.seeds"].values[2, 0] == tt[2, 0, -1]
    # ori-test of cifar10-valid exists only at the final epoch: no curve for it
    assert "/cifar10-valid/test_accuracy@200.curve" not in cols
    assert "/cifar10-valid/test_accuracy@12.curve" in cols
    # 12-epoch schedule: seeds 111 and 777 for cifar10-valid, 111 for the others
    assert cols["/cifar10-valid/valid_accuracy@12.seeds"].values.shape == (3, 2)
    assert cols["/cifar100/test_accuracy@12.seeds"].values.shape == (3, 1)
    assert "x-test" in cols["/cifar100/test_accuracy@200"].description
    assert "ori-test" in cols["/cifar10/test_accuracy@200"].description
    assert "/cifar10/valid_accuracy@200" not in cols  # cifar10 trains on train+valid
    lat = cols["/cifar10/latency/gpu"]
    assert lat.unit == "ms" and lat.budget is None
    assert lat.values[2] == pytest.approx(tss_records[0].runs[("200", "cifar10", 777)].latency * 1e3)
    with pytest.raises(ValueError, match="not in"):
        nats.to_columns(tss_dir, ["8:8:8:8:8"])


# -- the converted store -------------------------------------------------------------------------
def test_converted_store_queries(converted, tss_records):
    bench = converted
    assert bench.name == "nats_tss" and bench.space_name == "nb201" and len(bench) == 15625
    got = bench.query(list(SAMPLE), "cifar10", "test_accuracy")
    assert [round(float(v), 4) for v in got] == list(CIFAR10_TEST_MEANS)
    # seed=k is the k-th of the sorted seeds 777, 888, 999
    for k, seed in enumerate((777, 888, 999)):
        run = tss_records[11].runs[("200", "cifar10", seed)]
        assert bench.query(11, "cifar10", "test_accuracy", seed=k) == run.evals["ori-test"]["accuracy"][-1]
    assert bench.query(11, "cifar10", "test_accuracy", seed="all").shape == (3,)
    # the separate 12-epoch schedule
    run12 = tss_records[284].runs[("12", "cifar10-valid", 111)]
    assert bench.query(284, "cifar10-valid", "valid_accuracy", budget=12, seed=0) == run12.evals["x-valid"]["accuracy"][-1]
    assert bench.describe("cifar10-valid", "valid_accuracy").budgets == (12, 200)
    assert np.isnan(bench.query(1, "cifar10", "test_accuracy"))
    # curves are in the store
    curve = bench.curve(284, "cifar10", "test_accuracy")
    assert bench.curve([284, 0], "cifar10", "test_accuracy").shape == (2, *curve.shape)
    run = tss_records[284].runs[("200", "cifar10", 999)]
    np.testing.assert_array_equal(curve[2], run.evals["ori-test"]["accuracy"])
    meta_sha = "7ecc7932fabec6b80551e07b845346de99d83c673f67a1891d619576b3fa053c"
    assert [s["sha256"] for s in bench.sources][0] == meta_sha
    assert "3 record files" in bench.sources[1]["note"]


def test_converted_store_through_the_cli(converted, capsys):
    assert cli.main(["query", str(converted.path), "284", "--dataset", "cifar10",
                     "--metric", "test_accuracy", "--budget", "200", "--seed", "all"]) == 0
    out = capsys.readouterr().out
    assert "88.73, 88.55, 89.09" in out


def test_nats_sss_recipe_reads_the_official_records(sss_dir):
    from nasbench.recipes import nats_sss

    sources = nats_sss.RECORD_SOURCES
    assert len(sources) == 4 and {s.path.rsplit("/", 1)[0] for s in sources} == {
        str(sss_dir.relative_to(sss_dir.parents[2]))}
    paths = [s.verified_path() for s in sources]
    cols = _by_path(nats_sss.read_records(paths, list(SSS.enumerate())))
    # the 90-epoch validation accuracy is the LightOn column's; the record keeps its curve
    assert "/cifar10-valid/valid_accuracy@90.seeds" not in cols
    curve = cols["/cifar10-valid/valid_accuracy@90.curve"].values
    assert curve.shape == (32768, 1, 90)
    assert curve[0, 0, -1] == pytest.approx(76.888, abs=1e-4)
    values = cols["/cifar10-valid/test_accuracy@90.seeds"].values
    assert values.shape == (32768, 1) and int(np.isfinite(values[:, 0]).sum()) == 3
    assert any(c.aggregation == "curve" for c in cols.values())


# -- the complete official record ---------------------------------------------------------------
#: the official get_more_info key suffix -> our metric suffix
OFFICIAL_FIELD = {"accuracy": "accuracy", "loss": "loss", "all-time": "time"}


def _official_more_info(trial: dict, dataset: str, epochs: int) -> dict[str, float]:
    """What the official ``get_more_info(index, dataset, hp=..., is_random=seed)`` returns at the
    final epoch, rebuilt from the raw record with the official rules (sets per dataset, all-time =
    sum of the per-epoch times; a set missing an epoch's time has no ``*-all-time``)."""
    last = epochs - 1
    sets = {"test": "ori-test" if dataset in ("cifar10", "cifar10-valid") else "x-test"}
    if dataset != "cifar10":
        sets["valid"] = "x-valid"
    if dataset not in ("cifar10", "cifar10-valid"):
        sets["valtest"] = "ori-test"
    info = {"train-accuracy": trial["train_acc1es"][last], "train-loss": trial["train_losses"][last],
            "train-all-time": sum(trial["train_times"][i] for i in range(epochs))}
    for key, name in sets.items():
        if f"{name}@{last}" not in trial["eval_acc1es"]:
            continue
        info[f"{key}-accuracy"] = trial["eval_acc1es"][f"{name}@{last}"]
        info[f"{key}-loss"] = trial["eval_losses"][f"{name}@{last}"]
        try:
            info[f"{key}-all-time"] = sum(trial["eval_times"][f"{name}@{i}"] for i in range(epochs))
        except KeyError:
            pass
    return info


def test_every_get_more_info_value_has_a_query(converted, tss_dir):
    """Per trial, by official seed id: every value the official API returns is in the store."""
    checked = set()
    for index in SAMPLE:
        raw = nats.load_pickle(tss_dir / f"{index:06d}.pickle.pbz2")
        for hp, results in raw.items():
            for (dataset, seed), trial in results["all_results"].items():
                epochs = int(trial["epochs"])
                for key, expected in _official_more_info(trial, dataset, epochs).items():
                    split, what = key.split("-", 1)
                    metric = f"{split}_{OFFICIAL_FIELD[what]}"
                    got = converted.query(index, dataset, metric, budget=epochs, seed=seed)
                    assert got == pytest.approx(expected, rel=1e-12), (index, hp, dataset, seed, key)
                    checked.add((dataset, metric))
    # the valtest split and the evaluation times were the missing 44%
    assert {("cifar100", "valtest_accuracy"), ("ImageNet16-120", "valtest_loss"),
            ("cifar100", "valtest_time"), ("cifar10-valid", "valid_time"),
            ("cifar10", "test_time")} <= checked
    assert ("cifar10-valid", "valtest_accuracy") not in checked


def test_official_seed_ids_and_positions_select_the_same_trial(converted, tss_records):
    for k, seed in enumerate((777, 888, 999)):
        by_id = converted.query(284, "cifar100", "valtest_accuracy", seed=seed)
        assert by_id == converted.query(284, "cifar100", "valtest_accuracy", seed=k)
        run = tss_records[284].runs[("200", "cifar100", seed)]
        assert by_id == run.evals["ori-test"]["accuracy"][-1]
    desc = converted.describe("cifar100", "valtest_accuracy")
    assert desc.seed_ids == (777, 888, 999) and desc.split == "valtest"
    assert "seed ids 777, 888, 999" in str(desc)
    with pytest.raises(ValueError, match="official seed id \\(777, 888, 999\\)"):
        converted.query(284, "cifar100", "valtest_accuracy", seed=778)
