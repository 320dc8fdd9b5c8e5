"""The nats_sss store (NATS-Bench size space, all 32,768 archs) against its raw files.

The store is built once into a temporary folder from the real files. Values are checked against the
LightOn arrays re-read with numpy, against the three official records read with the NATS reader,
and against the facts its PROVENANCE quotes (best archs, ranges, the records' x-valid@89).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import nasbench
from nasbench.readers import nats
from nasbench.recipes import nats_sss
from nasbench.spaces.nats_sss import SPACE

N = 32768
RECORDS = (0, 11, 284)
LIGHTON_FILES = {"cifar10-valid": "cifar10_accs.npy", "cifar100": "cifar100_accs.npy",
                 "ImageNet16-120": "ImageNet16-120.npy"}
#: the records' x-valid@89, as the PROVENANCE quotes them
RECORD_VALID = {"cifar10-valid": (76.888, 83.724, 86.796), "cifar100": (32.24, 54.46, 62.78),
                "ImageNet16-120": (16.6, 25.6667, 33.3333)}
CLASSES = {"cifar10-valid": (10, 32), "cifar10": (10, 32), "cifar100": (100, 32),
           "ImageNet16-120": (120, 16)}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = nats_sss.RECIPE.build(tmp_path_factory.mktemp("nats-sss") / "nats_sss.h5", progress=False)
    bench = nasbench.Benchmark(path)
    yield bench
    bench.close()


@pytest.fixture(scope="module")
def sss_dir(data_root):
    return data_root / "nb201/nats-bench-official/NATS-sss-v1_0-50262-simple"


@pytest.fixture(scope="module")
def records(sss_dir):
    return {i: nats.read_record(sss_dir, i) for i in RECORDS}


def test_every_pin_is_the_provenance_digest(data_root):
    for source in nats_sss.RECIPE.sources:
        path = data_root / source.path
        folder = next(p for p in path.parents if (p / "PROVENANCE.md").is_file())
        assert source.sha256 in (folder / "PROVENANCE.md").read_text(), source.path
        assert hashlib.sha256(path.read_bytes()).hexdigest() == source.sha256, source.path


def test_rows_are_the_official_order(store, data_root, sss_dir):
    listed = np.load(data_root / "nats-sss/lighton/arch_strings.npy").tolist()
    assert store.archs == listed == nats.read_meta(sss_dir).archs
    assert store.official_index and len(store) == N
    # the space computes the same order without data, so an int names an arch in any nats_sss store
    assert SPACE.has_official_index and [SPACE.index(a) for a in listed[::997]] == list(range(0, N, 997))
    assert store.query("8:8:40:32:40", "cifar100", "valid_accuracy") == store.query(284, "cifar100", "valid_accuracy")


def test_valid_accuracy_is_the_lighton_array(store, data_root):
    for dataset, name in LIGHTON_FILES.items():
        raw = np.load(data_root / "nats-sss/lighton" / name)
        assert np.array_equal(store.values(dataset, "valid_accuracy"), raw), dataset
        d = store.describe(dataset, "valid_accuracy")
        assert d.default_budget == 90 and d.measured == N and d.split == "valid"
        assert "not test accuracy" in d.description and "seed 777" in d.description


def test_provenance_facts_best_archs_and_ranges(store):
    best = {"cifar10-valid": (90.712, 32767), "cifar100": (70.92, 31615), "ImageNet16-120": (46.733, 24511)}
    low = {"cifar10-valid": 76.888, "cifar100": 32.24, "ImageNet16-120": 15.967}
    for dataset, (value, index) in best.items():
        top = store.top(dataset, "valid_accuracy", k=1)
        assert int(top["index"].iloc[0]) == index and round(float(top["valid_accuracy"].iloc[0]), 3) == value
        assert round(float(store.values(dataset, "valid_accuracy").min()), 3) == low[dataset]
    assert store.archs[32767] == "64:64:64:64:64"


def test_official_records_agree_with_the_all_arch_columns(store, records):
    for dataset, values in RECORD_VALID.items():
        assert store.query(list(RECORDS), dataset, "valid_accuracy") == pytest.approx(values, abs=1e-4)
        for k, index in enumerate(RECORDS):
            run = records[index].runs[("90", dataset, 777)]
            final = run.evals["x-valid"]["accuracy"][-1]
            assert store.query(index, dataset, "valid_accuracy") == final
            # the record's per-epoch curve is kept and ends at the same value
            assert store.curve(index, dataset, "valid_accuracy", budget=90)[0, -1] == final
            assert values[k] == pytest.approx(final, abs=1e-4)


def test_records_keep_their_other_metrics(store, records):
    run = records[284].runs[("90", "cifar10", 777)]
    assert store.query(284, "cifar10", "test_accuracy") == run.evals["ori-test"]["accuracy"][-1]
    assert store.query(284, "cifar10", "test_accuracy") == pytest.approx(89.51, abs=0.01)
    assert store.describe("cifar10", "test_accuracy").measured == 3
    assert store.describe("cifar100", "valid_accuracy").budgets == (1, 12, 90)
    assert np.isnan(store.query(1, "cifar100", "test_accuracy"))


def test_params_and_flops_equal_the_official_records(store, records):
    for index in RECORDS:
        arch = SPACE.arch_at(index)
        for (_, dataset, _), run in records[index].runs.items():
            classes, resolution = CLASSES[dataset]
            assert SPACE.params(arch, classes) == pytest.approx(run.params, abs=1e-12), (index, dataset)
            assert SPACE.flops(arch, classes, resolution) == pytest.approx(run.flops, abs=1e-12)
            assert store.query(index, dataset, "params") == pytest.approx(run.params, abs=1e-12)
            assert store.query(index, dataset, "flops") == pytest.approx(run.flops, abs=1e-12)
    params = store.values("cifar10-valid", "params")
    assert np.isfinite(params).all() and params.argmax() == N - 1 and params.argmin() == 0
    # the widest network on CIFAR-10 (hand count: stem 1,856 + cells 3 x 184,960 + two reduction
    # blocks 78,080 each + last BN 128 + classifier 650)
    assert SPACE.params("64:64:64:64:64", 10) == pytest.approx(0.713674, abs=1e-12)


def test_a_record_with_other_params_is_refused(sss_dir):
    from nasbench.store import Column

    col = Column("cifar10", "params", np.full(N, 0.5), unit="M")
    with pytest.raises(ValueError, match="record 0: cifar10 params"):
        nats_sss._check_size(col)


def test_a_wrong_arch_list_is_refused(data_root):
    paths = [s.verified_path() for s in nats_sss.RECIPE.parts[0].sources]
    archs = list(SPACE.enumerate())
    archs[5], archs[6] = archs[6], archs[5]
    with pytest.raises(ValueError, match="at row 5"):
        nats_sss.read_lighton(paths, archs)


def test_xgboost_ranks_the_size_space(store):
    from scipy.stats import spearmanr

    from predictors import XGBPredictor

    train, test = store.sample(200, seed=0), store.sample(500, seed=1)
    y = store.query(train, "cifar100", "valid_accuracy")
    model = XGBPredictor(space="nats_sss", random_state=0).fit(train, y)
    truth = store.query(test, "cifar100", "valid_accuracy")
    rho = spearmanr(model.predict(test), truth)[0]
    floor = spearmanr(store.query(test, "cifar100", "params"), truth)[0]
    assert rho > 0.9 and rho > floor + 0.1


def test_counts_equal_the_torch_network():
    """The space's count (numpy, used by the store) and the torch builder agree on any widths."""
    torch = pytest.importorskip("torch")
    from predictors import networks

    torch.set_num_threads(1)
    for arch in ("64:16:48:8:56", "16:64:8:40:24", *SPACE.sample(2, seed=3)):
        for dataset, (classes, _) in (("cifar100", CLASSES["cifar100"]),
                                      ("ImageNet16-120", CLASSES["ImageNet16-120"])):
            net = networks.build("nats_sss", arch, dataset)
            count = sum(p.numel() for p in net.parameters()) / 1e6
            assert SPACE.params(arch, classes) == pytest.approx(count, abs=1e-12), (arch, dataset)
