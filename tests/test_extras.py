"""The "extras" spaces and stores: SpikeNAS-Bench, Accel-NASBench, EC-NAS-Bench, NAS-Bench-NLP,
HW-NAS-Bench-360. Spaces are property-tested; stores are checked against the raw files."""

from __future__ import annotations

import json
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nasbench
from nasbench.spaces import ecnas, mnasnet, nlp, spikenas
from nasbench.spaces.nb201 import SPACE as NB201

SPIKE, MNAS, ECNAS, NLP = spikenas.SPACE, mnasnet.SPACE, ecnas.SPACE, nlp.SPACE
RNG = np.random.default_rng(20240601)
BEST_SPIKE = "|lif0.5_conv_3x3~0|+|lif1.0_conv_3x3~0|none~1|+|lif1.5_conv_3x3~0|none~1|lif1.5_conv_3x3~2|"


def _load(name: str):
    bench = nasbench.load(name)
    yield bench
    bench.close()


# == SpikeNAS space ===============================================================================
spike_cells = st.tuples(*[st.sampled_from(spikenas.OPS)] * 6).map(spikenas.SpikeCell)


@settings(max_examples=80, deadline=None)
@given(spike_cells)
def test_spikenas_round_trip_identity_and_neighbours(cell) -> None:
    text = SPIKE.format(cell)
    assert SPIKE.parse(text) == cell and SPIKE.format(SPIKE.parse(text)) == text
    assert SPIKE.arch_at(SPIKE.index(text)) == text
    canon = SPIKE.canonical(text)
    assert SPIKE.canonical(canon) == canon and SPIKE.canonical_hash(canon) == SPIKE.canonical_hash(text)
    assert SPIKE.index(canon) <= SPIKE.index(text)
    neigh = SPIKE.neighbours(text)
    assert len(neigh) == 24 == len(set(neigh))
    assert all(sum(a != b for a, b in zip(SPIKE.parse(n).ops, cell.ops)) == 1 for n in neigh)
    assert SPIKE.encode(text).shape == (30,) and SPIKE.encode([text, text], "path").shape == (2, 84)
    feats, edges = SPIKE.to_graph(text)
    assert feats.shape == (8, 7) and edges.shape == (2, 10) and feats.sum() == 8


@settings(deadline=None)
@given(st.integers(0, spikenas.SPACE.size - 1))
def test_spikenas_arch_id_encoding(arch_id: int) -> None:
    digits = [(arch_id // 5**k) % 5 for k in range(6)]  # edges (0,1),(0,2),(0,3),(1,2),(1,3),(2,3)
    assert SPIKE.from_op_ids(digits) == SPIKE.arch_at(arch_id)
    assert SPIKE.index(arch_id) == arch_id


def test_spikenas_shares_nb201_cell_and_isomorphism_classes() -> None:
    assert SPIKE.index(BEST_SPIKE) == 12617 and SPIKE.from_op_ids([2, 3, 4, 0, 0, 4]) == BEST_SPIKE
    stand_in = spikenas.ISOMORPHISM_STAND_INS
    reps = {SPIKE.canonical(a) for a in SPIKE.enumerate()}
    assert len(reps) == 6466
    # a class is NB201's class of the same wiring: canonical commutes with the conversion
    nb_classes = {}
    for b in SPIKE.enumerate():
        nb_classes.setdefault(NB201.canonical_hash(SPIKE.to_nb201(b, stand_in)), set()).add(b)
    assert len(nb_classes) == 6466
    for a in SPIKE.sample(200, seed=3):
        members = nb_classes[NB201.canonical_hash(SPIKE.to_nb201(a, stand_in))]
        assert SPIKE.canonical(a) == min(members, key=SPIKE.index)
    back = {v: k for k, v in stand_in.items()}
    for a in SPIKE.sample(50, seed=1):
        assert SPIKE.from_nb201(SPIKE.to_nb201(a, stand_in), back) == a
    only_shared = "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|"
    assert SPIKE.to_nb201(only_shared) == only_shared and SPIKE.from_nb201(only_shared) == only_shared
    with pytest.raises(ValueError, match=r"SpikeNAS op 'lif0.5_conv_3x3' on edge 0->1 has no NB201 counterpart"):
        SPIKE.to_nb201(BEST_SPIKE)
    with pytest.raises(ValueError, match="NB201 op 'nor_conv_3x3' on edge 0->1 has no SpikeNAS"):
        SPIKE.from_nb201(NB201.arch_at(1))


@pytest.mark.parametrize(("text", "complaint"), [
    ("|none~0|+|none~0|none~1|", "2 node groups"),
    ("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown op 'nor_conv_3x3'"),
    ("|none~0|+|none~0|none~2|+|none~0|none~1|none~2|", r"should be '<op>~1'"),
    ("|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2 has 1 input edges"),
    (7, "is a string"),
])
def test_spikenas_malformed(text, complaint) -> None:
    with pytest.raises(ValueError, match=complaint):
        SPIKE.parse(text)
    with pytest.raises(IndexError, match="0 .. 15624"):
        SPIKE.arch_at(15625)


# == MnasNet (Accel-NASBench) space ===============================================================
def _block(b: int):
    return st.builds(mnasnet.Block, st.sampled_from(mnasnet.EXPANSIONS), st.sampled_from(mnasnet.KERNELS),
                     st.sampled_from(mnasnet.LAYERS[b]), st.booleans())


mnas_nets = st.tuples(*[_block(b) for b in range(7)]).map(mnasnet.MnasNet)


@settings(max_examples=80, deadline=None)
@given(mnas_nets)
def test_mnasnet_round_trip_neighbours_encodings(net) -> None:
    text = MNAS.format(net)
    assert MNAS.parse(text) == net and MNAS.format(MNAS.parse(text)) == text
    assert MNAS.canonical(text) == text
    assert MNAS.from_config(MNAS.to_config(text)) == text
    neigh = MNAS.neighbours(text)
    assert len(neigh) == len(set(neigh)) == 43 and text not in neigh
    for other in neigh:
        changed = [(a, b) for a, b in zip(MNAS.parse(other).blocks, net.blocks) if a != b]
        assert len(changed) == 1
        a, b = changed[0]
        assert sum((a.e != b.e, a.k != b.k, a.l != b.l, a.se != b.se)) == 1
    assert MNAS.encode(text).shape == (71,) and MNAS.encode(text).sum() == 28
    assert MNAS.encode([text], "ordinal").shape == (1, 28)
    feats, edges = MNAS.to_graph(text)
    assert feats.shape == (9, 13) and edges.shape == (2, 8)


@pytest.mark.parametrize(("text", "complaint"), [
    ("e1k3l1", "has 1 blocks"),
    ("e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3", "block 6 'e1k3' should look like"),
    ("e5k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1", "block 0: e=5 is not allowed"),
    ("e1k3l4-e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1", "block 0: l=4 is not allowed"),
    ("e1k3l1-e1k7l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1", "block 1: k=7"),
    ("e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1SE", "block 6"),
])
def test_mnasnet_malformed(text, complaint) -> None:
    with pytest.raises(ValueError, match=complaint):
        MNAS.parse(text)
    assert MNAS.is_valid("e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l1-e1k3l4se-e1k3l1")  # block 5 allows 4
    with pytest.raises(ValueError, match="missing key"):
        MNAS.from_config({"block0_e": 1})


# == EC-NAS space =================================================================================
@settings(max_examples=60, deadline=None)
@given(st.integers(0, ecnas.SPACE.size - 1), st.randoms(use_true_random=False))
def test_ecnas_cells_and_relabellings(index: int, rnd) -> None:
    text = ECNAS.arch_at(index)
    assert ECNAS.format(ECNAS.parse(text)) == text == ECNAS.canonical(text) == ECNAS.to_string(text)
    cell = ECNAS.parse(text)
    inner = list(range(1, cell.n_vertices - 1))
    rnd.shuffle(inner)
    order = [0, *inner, cell.n_vertices - 1]
    m = np.array(cell.matrix)[np.ix_(order, order)]
    if not np.tril(m).any():  # a relabelling that is still topological: same cell
        other = ECNAS.format(ecnas.Cell(tuple(map(tuple, m.tolist())), tuple(cell.ops[i] for i in order)))
        assert ECNAS.canonical(other) == text and ECNAS.canonical_hash(other) == ECNAS.canonical_hash(text)
    assert all(ECNAS.is_valid(n) and n != text for n in ECNAS.neighbours(text))
    feats, edges = ECNAS.to_graph(text)
    assert feats.shape[0] == cell.n_vertices and edges.shape == (2, cell.n_edges)


def test_ecnas_space_is_nb101_up_to_5_vertices() -> None:
    from nasbench.spaces.nb101 import SPACE as NB101

    cells = list(ECNAS.enumerate())
    assert len(cells) == 2532 and cells == [NB101.arch_at(i) for i in range(2532)]
    assert sum(ECNAS.parse(c).n_vertices <= 4 for c in cells) == ecnas.SIZE_4V
    six = "ops:input,maxpool3x3,maxpool3x3,maxpool3x3,maxpool3x3,output|adj:010000,001000,000100,000010,000001,000000"
    assert NB101.is_valid(six) and not ECNAS.is_valid(six)
    with pytest.raises(ValueError, match="at most 5 vertices after pruning"):
        ECNAS.parse(six)
    with pytest.raises(ValueError, match="adjacency row 1"):
        ECNAS.parse("ops:input,maxpool3x3,output|adj:011,0a1,000")


# == NAS-Bench-NLP space ==========================================================================
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.randoms(use_true_random=False))
def test_nlp_round_trip_renaming_and_neighbours(seed: int, rnd) -> None:
    text = NLP.sample(1, seed=seed)[0]
    assert NLP.format(NLP.parse(text)) == text == NLP.canonical(text)
    body = json.loads(text)
    names = {n: (n if n.startswith("h_new_") else f"v{rnd.randrange(10**6)}_{i}") for i, n in enumerate(body)}
    items = list(body.items())
    rnd.shuffle(items)
    renamed = json.dumps({names[n]: {"op": v["op"], "input": [names.get(i, i) for i in v["input"]]}
                          for n, v in items})
    assert NLP.canonical(renamed) == text and NLP.canonical_hash(renamed) == NLP.canonical_hash(text)
    neigh = NLP.neighbours(text)
    assert text not in neigh and all(NLP.canonical(n) == n for n in neigh[:20])
    feats, edges = NLP.to_graph(text)
    assert edges.max() < len(feats) and NLP.encode(text, "opcount").shape == (10,)


@pytest.mark.parametrize(("text", "complaint"), [
    ("{", "not valid JSON"),
    ('{"a": {"op": "linear", "input": ["x"]}}', "no output node h_new_0"),
    ('{"h_new_0": {"op": "lstm", "input": ["x"]}}', "node 'h_new_0': unknown op 'lstm'"),
    ('{"h_new_0": {"op": "blend", "input": ["x", "x"]}}', "blend takes 3 inputs, got 2"),
    ('{"h_new_0": {"op": "linear", "input": ["h_prev_1"]}}', "input 'h_prev_1' is not a node or cell input"),
    ('{"h_new_0": {"op": "linear", "input": ["a"]}, "a": {"op": "linear", "input": ["h_new_0"]}}', "cycle"),
    ('{"h_new_1": {"op": "linear", "input": ["x"]}}', "h_new_0 .. h_new_<k-1>"),
    ('{"x": {"op": "linear", "input": ["x"]}}', "reserved"),
    ('{"h_new_0": {"op": "linear", "inputs": ["x"]}}', "exactly the keys"),
])
def test_nlp_malformed(text, complaint) -> None:
    with pytest.raises(ValueError, match=complaint):
        NLP.parse(text)


# == stores against the raw files =================================================================
SPIKE_DIR = "extras/spikenas-bench"


@pytest.fixture(scope="module")
def spike_store():
    yield from _load("spikenas")


@pytest.mark.parametrize("dataset", ["cifar10", "cifar100", "tinyimagenet"])
def test_spikenas_store_equals_logs(spike_store, data_root: Path, dataset: str) -> None:
    summary = pd.read_csv(data_root / SPIKE_DIR / f"spikenas_{dataset}_summary.csv")
    with np.load(data_root / SPIKE_DIR / f"spikenas_{dataset}_curves.npz") as npz:
        curves = {k: npz[k] for k in npz.files}
    take = RNG.choice(len(summary), size=min(150, len(summary)), replace=False)
    for i in take:
        rec = summary.iloc[i]
        arch = SPIKE.from_op_ids(rec[["op_01", "op_02", "op_03", "op_12", "op_13", "op_23"]].astype(int))
        assert SPIKE.index(arch) == rec["arch_id"] and spike_store.index(arch) == rec["arch_id"]
        budget = 200 if rec["n_epochs"] == 200 else 100
        def q(metric: str, arch: str = arch, budget: int = budget) -> float:
            return spike_store.query(arch, dataset, metric, budget=budget)

        assert q("test_accuracy") == rec["test_acc"] and q("valid_accuracy") == rec["final_val_acc"]
        assert q("train_accuracy") == rec["final_train_acc"] and q("train_time") == rec["train_time_s"]
        assert spike_store.query(arch, dataset, "params") == pytest.approx(rec["params"] / 1e6)
        rate = rec["firing_rate_3"]
        got = q("firing_rate/cell1_edge03")
        assert (np.isnan(got) and rate == -1) or got == rate
        assert q("firing_rate/all") == rec["firing_rate_15"]
        if rec["n_epochs"] > 1:
            epochs = int(rec["n_epochs"])
            curve = spike_store.curve(arch, dataset, "valid_loss", budget=budget)
            np.testing.assert_array_equal(curve, curves["val_loss"][i, :epochs].astype(np.float64))
            assert q("valid_loss") == float(curves["val_loss"][i, epochs - 1])
        else:  # one arch without a curve: an error that says which rows have one
            with pytest.raises(ValueError, match="has none"):
                spike_store.curve(arch, dataset, "valid_loss", budget=100)


def test_spikenas_store_facts(spike_store) -> None:
    full = spike_store.values("cifar10", "test_accuracy", budget=100)
    long = spike_store.values("cifar10", "test_accuracy", budget=200)
    assert np.isfinite(full).sum() == 14_935 and np.isfinite(long).sum() == 690
    assert not (np.isfinite(full) & np.isfinite(long)).any()
    assert np.nanmax(np.fmax(full, long)) == 89.30 and int(np.nanargmax(full)) == 12617
    assert spike_store.query(0, "cifar10", "test_accuracy", budget=100) == 10.0
    assert np.isfinite(spike_store.values("cifar100", "test_accuracy")).sum() == 276
    assert np.nanmax(spike_store.values("cifar100", "test_accuracy")) == 64.20
    tiny = spike_store.values("tinyimagenet", "test_accuracy")
    assert np.isfinite(tiny).sum() == 292 and np.nanmax(tiny) == 53.64
    assert np.isfinite(spike_store.values("tinyimagenet", "test_top5_accuracy")).sum() == 292
    with_curve = np.isfinite(spike_store.curve(np.arange(15_625), "tinyimagenet", "valid_accuracy")).any(axis=1)
    assert with_curve.sum() == 292 - 97
    assert "partial" in spike_store.description and "budget=100" in spike_store.description


@pytest.fixture(scope="module")
def accel_records(data_root: Path) -> list[dict]:
    with tarfile.open(data_root / "extras/accel-nasbench/anb_dataset_jsons.tar.gz") as tar:
        return [json.load(tar.extractfile(m)) for m in tar.getmembers() if m.name.endswith(".json")]


def test_accel_store_equals_records(accel_records: list[dict]) -> None:
    with nasbench.load("accel_nasbench") as bench:
        assert len(accel_records) == 5138 and len(bench) == 5125 and bench.space.name == "mnasnet"
        runs = bench.values("imagenet", "valid_accuracy", seed="all")
        assert (np.isfinite(runs).sum(axis=1) == 2).sum() == 13
        for i in RNG.choice(len(accel_records), size=150, replace=False):
            rec = accel_records[i]
            arch = MNAS.from_config(rec["architecture"])
            assert rec["metrics"]["val_top1"] in bench.query(arch, "imagenet", "valid_accuracy", seed="all")
            assert rec["metrics"]["train_time"] in bench.query(arch, "imagenet", "train_time", seed="all")
            assert bench.query(arch, "imagenet", "flops") == rec["model_info"]["macs"]
            assert bench.query(arch, "imagenet", "params") == rec["model_info"]["params"]
            a100 = rec["platform_perf"]["throughput_a100"]["throughput_mean"]
            assert a100 in bench.query(arch, "imagenet", "throughput/a100", seed="all")
            lat = (rec["platform_perf"]["latency_zcu102"] or {}).get("latency_mean")
            got = bench.query(arch, "imagenet", "latency/zcu102", seed="all")
            assert (lat is None and np.isnan(got).any()) or lat in got
        top1 = bench.values("imagenet", "valid_accuracy", seed="all")
        assert np.nanmin(top1) == 42.85 and round(float(np.nanmax(top1)), 2) == 67.05
        present = np.isfinite(bench.values("imagenet", "train_time", seed="all"))
        missing = present & ~np.isfinite(bench.values("imagenet", "throughput/tpuv3", seed="all"))
        assert missing.sum() == 44  # PROVENANCE: tpuv3 missing in 44 records
        assert bench.describe("imagenet", "throughput/a100").direction == "max"


def test_ecnas_store_equals_runs(data_root: Path) -> None:
    folder = data_root / "extras/ec-nas-bench-small"
    with nasbench.load("ecnas") as bench:
        assert len(bench) == 2532
        for space, repeats, take in (("4V9E", 3, None), ("5V9E", 1, 150)):
            runs = pd.read_csv(folder / f"ecnas_{space}_4epochs_results.csv", dtype={"adjacency_flat": str})
            graphs = json.loads((folder / f"generated_graphs_{space}.json").read_text())
            dataset = f"cifar10-{space}"
            rows = runs if take is None else runs.iloc[RNG.choice(len(runs), size=take, replace=False)]
            for _, run in rows.iterrows():
                arch = ECNAS.canonical(ECNAS.cell(tuple(graphs[run["model_hash"]])))
                assert ECNAS.canonical_hash(arch) == run["model_hash"]
                n = int(len(run["adjacency_flat"]) ** 0.5)
                spelled = ECNAS.cell((np.array(list(run["adjacency_flat"]), int).reshape(n, n),
                                      [int(x) for x in run["ops_labels"].split()]))
                assert ECNAS.canonical(spelled) == arch
                test = bench.query(arch, dataset, "test_accuracy", seed="all") if repeats > 1 else \
                    np.array([bench.query(arch, dataset, "test_accuracy")])
                assert test[run["repeat"] - 1] == pytest.approx(run["e2_test_acc"] * 100, rel=1e-12)
                energy = bench.query(arch, dataset, "total_energy", seed="all") if repeats > 1 else \
                    np.array([bench.query(arch, dataset, "total_energy")])
                assert energy[run["repeat"] - 1] == run["total_energy_kWh"]
                assert bench.query(arch, dataset, "params") == run["trainable_params"] / 1e6
                curve = bench.curve(arch, dataset, "valid_accuracy")
                curve = curve[run["repeat"] - 1] if repeats > 1 else curve
                mid = int(run["e1_epochs"])
                assert curve[mid - 1] == pytest.approx(run["e1_val_acc"] * 100) and np.isnan(curve).sum() == 2
        four = bench.values("cifar10-4V9E", "test_accuracy", seed="all")
        assert np.isfinite(four).sum() == 273 and np.isfinite(four[:91]).all()
        five = bench.values("cifar10-5V9E", "test_accuracy")
        assert np.isfinite(five).all() and round(np.nanmin(five), 1) == 5.7 and round(np.nanmax(five), 1) == 76.3


def test_nlp_store_equals_logs(data_root: Path) -> None:
    with zipfile.ZipFile(data_root / "extras/nas-bench-nlp-wikitext2-partial/train_logs_wikitext-2_logs.zip") as zf:
        logs = [json.loads(zf.read(n)) for n in zf.namelist() if n.endswith(".json")]
    with nasbench.load("nasbench_nlp") as bench:
        assert len(logs) == 345 and len(bench) == 265
        ids = bench.values("wikitext-2", "recipe_id", seed="all")
        assert np.isfinite(ids).sum() == 345 and len(set(ids[np.isfinite(ids)].tolist())) == 344
        for log in logs:  # every run, all of them
            arch = NLP.canonical(log["recepie"])
            k = list(bench.query(arch, "wikitext-2", "recipe_id", seed="all")).index(log["recepie_id"])
            k += sum(1 for other in logs if other["recepie_id"] == log["recepie_id"]
                     and other["experiment_id"] < log["experiment_id"])
            final = bench.query(arch, "wikitext-2", "valid_loss", seed="all")[k]
            logged = np.asarray(log["test_losses"], dtype=np.float64)
            if not np.isfinite(bench.curve([arch], "wikitext-2", "test_loss")).any():
                assert not np.isfinite(logged).any()  # no run of this arch logged a test loss
                with pytest.raises(ValueError, match="has none"):  # so one-arch curve() says so
                    bench.curve(arch, "wikitext-2", "test_loss")
                continue
            curve = bench.curve(arch, "wikitext-2", "test_loss")[k]
            np.testing.assert_array_equal(curve[: len(logged)], logged)
            if log["status"] == "OK":
                assert final == log["val_losses"][-1] and len(logged) == 50
            else:
                assert np.isnan(final)
            assert bench.query(arch, "wikitext-2", "params") == log["num_params"] / 1e6
        finals = bench.values("wikitext-2", "valid_loss", seed="all")
        assert np.isfinite(finals).sum() == 341
        best = np.nanmin(bench.curve(list(bench.archs), "wikitext-2", "valid_loss"))
        assert round(float(best), 4) == 4.5676 and round(float(np.exp(best)), 1) == 96.3
        assert "PARTIAL" in bench.description


def test_build_with_root_reads_the_arch_list_there_too(data_root: Path, tmp_path: Path, monkeypatch) -> None:
    """A recipe whose rows come from a raw file reads that file under ``root=``, not under the
    default data folder (which points nowhere here)."""
    import shutil

    from nasbench.recipes import get

    recipe = get("nasbench_nlp")
    assert recipe.arch_sources
    for source in recipe.sources:
        dest = tmp_path / "data" / source.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data_root / source.path, dest)
    monkeypatch.setenv("NASBENCH_DATA", str(tmp_path / "nowhere"))
    out = recipe.build(tmp_path / "nlp.h5", progress=False, root=tmp_path / "data")
    with nasbench.Benchmark(out) as built, nasbench.load("nasbench_nlp") as usual:
        assert list(built.archs) == list(usual.archs) and len(built) == 265


def test_hw_nas_bench_360_store_equals_parquet(data_root: Path) -> None:
    folder = data_root / "extras/hw-nas-bench-360"
    frame = pd.read_parquet(folder / "hw_nas_bench_360_dataset.parquet")
    derived = pd.read_csv(folder / "nb201_space_accuracies_cifar100_ninapro_darcy.csv").set_index("arch_idx")
    with nasbench.load("hw_nas_bench_360") as bench:
        assert len(bench) == 15_625 and bench.space.name == "nb201"
        np.testing.assert_array_equal(bench.values("ninapro", "test_accuracy"), derived["acc_ninapro"].sort_index())
        np.testing.assert_array_equal(bench.values("darcy", "test_score"), derived["acc_darcy"].sort_index())
        assert round(float(np.nanmax(bench.values("cifar100", "test_accuracy"))), 2) == 73.51
        nb201 = json.loads((data_root / "nb201/badar-e-alam-nas/data.json").read_text())["cifar100"]
        sample = RNG.choice(15_625, size=150, replace=False)
        assert bench.query(sample, "cifar100", "test_accuracy") == pytest.approx(
            [nb201[str(i)][3] for i in sample])  # NB201's 200-epoch seed mean
        rows = frame[frame["arch_idx"].isin(sample)]
        for _, r in rows.iterrows():
            name = f"{r['device']}_{r['framework']}"
            assert bench.query(int(r["arch_idx"]), r["task"], f"latency/{name}") == r["lat_ms_median"]
            energy = bench.query(int(r["arch_idx"]), r["task"], f"energy/{name}") if r["device"] == "pi5" else np.nan
            assert (np.isnan(energy) and np.isnan(r["energy_mj"])) or energy == r["energy_mj"]
        assert "energy/pixel_litert" not in bench.metrics("cifar100")
        # the measured representatives are NB201's isomorphism representatives
        reps = frame.drop_duplicates("arch_idx").set_index("arch_idx")["rep_arch_idx"].sort_index()
        canon = [NB201.index(NB201.canonical(a)) for a in NB201.official_order]
        np.testing.assert_array_equal(reps.to_numpy(), canon)
