"""The bank builder (``nasbench build-bank``) on a tiny recipe, and the ``nb201_bank`` store.

Tiny recipe: NB201 network C=4, N=1 on 8x8 CIFAR-10 (JPEG q75), 200 training images, 2 epochs,
so one architecture trains in about a second on one thread.
"""

from __future__ import annotations

import gzip
import json
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nasbench import calibration as cal  # noqa: E402
from nasbench.spaces.nb201 import SPACE  # noqa: E402
from predictors import bank  # noqa: E402

TINY = bank.BankRecipe(C=4, N=1, resolution=8, train_size=200, valid_size=50, test_size=500,
                       epochs=2, batch_size=64, bins=(5, 15), ood_size=100)
A = SPACE.canonical(SPACE.arch_at(6111))
B = SPACE.canonical(SPACE.arch_at(1234))
C = SPACE.canonical(SPACE.arch_at(42))


def _strip(rec):
    """The record without its wall times, as JSON text (so NaN equals NaN)."""
    return json.dumps({k: v for k, v in rec.items() if k not in ("train_time", "eval_time", "cpu_time")},
                      sort_keys=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("bank")
    records = bank.build_bank([A, B], out, TINY, progress=False)
    return out, records


def test_record_holds_real_per_epoch_values_and_calibration(built):
    out, records = built
    assert [r["arch"] for r in records] == [A, B]
    rec = records[0]
    assert rec["index"] == SPACE.index(A) and rec["params"] > 1000
    for key in ("train_loss", "train_accuracy", "valid_loss", "valid_accuracy", "test_loss",
                "test_accuracy"):
        assert len(rec[key]) == 2 and all(np.isfinite(rec[key]))
    assert 0 < rec["test_accuracy"][-1] < 100 and rec["train_loss"][-1] < 2.6
    # floats keep bank.DIGITS significant digits (the committed files stay small)
    assert all(v == float(f"{v:.7g}") for v in rec["train_loss"] + rec["valid_loss"])
    assert bank.rounded([1 / 3, {"a": float("nan")}, 2])[0] == 0.3333333
    assert sorted(rec["calibration"]) == ["1", "2"]
    c = rec["calibration"]["2"]
    assert set(c) == {"temperature", "pre", "post", "ood_auroc", "ood_aupr"}
    assert {"ECE_5", "ECE_15", "ECE_em_15", "cwCE_em_5", "MCE_15", "KSCE", "KDECE", "MMCE", "NLL",
            "Brier", "acc"} <= set(c["pre"])
    assert 0.1 <= c["temperature"] <= 10.0
    # the pre-TS accuracy is the epoch's test accuracy (same logits)
    assert 100 * c["pre"]["acc"] == pytest.approx(rec["test_accuracy"][-1])


def test_channels_last_layout_changes_only_rounding(built):
    # the memory layout picks kernels, not the recipe: the first steps' losses agree with the
    # default layout to float rounding (later epochs drift apart, as training amplifies it)
    out, records = built
    other = bank.train_arch(A, TINY, channels_last=False)
    assert other["train_loss"][0] == pytest.approx(records[0]["train_loss"][0], rel=1e-4)
    assert other["params"] == records[0]["params"]


def test_merge_adds_new_archs_of_the_same_recipe_only(built, tmp_path):
    out, records = built
    target = tmp_path / "target"
    bank.merge(target, [out])
    assert [r["arch"] for r in bank.read_results(target)] == [A, B]
    assert bank.read_recipe(target) == TINY
    other = tmp_path / "other"
    bank.build_bank([B, C], other, TINY, progress=False)
    assert bank.merge(target, [other, out]) == 1  # C is new; B keeps the target's record
    got = bank.read_results(target)
    assert [r["arch"] for r in got] == [A, B, C] and _strip(got[1]) == _strip(records[1])
    assert bank.merge(target, [other]) == 0
    before = (target / "results.jsonl.gz").read_bytes()
    longer = tmp_path / "longer"
    bank.build_bank([SPACE.canonical(SPACE.arch_at(7))], longer,
                    bank.BankRecipe.from_json({**TINY.to_json(), "epochs": 3}), progress=False)
    with pytest.raises(bank.RecipeMismatchError, match="epochs: 2 there vs 3 now"):
        bank.merge(target, [other, longer])
    assert (target / "results.jsonl.gz").read_bytes() == before  # nothing half-merged


def test_recorded_metrics_equal_metrics_of_the_final_logits(built):
    out, records = built
    got: dict = {}
    again = bank.train_arch(A, TINY, logits_out=got)  # deterministic: same seed, same data
    assert _strip(again) == _strip(records[0])
    logits, labels = got["test"], got["test_labels"]
    assert logits.shape == (500, 10) and logits.dtype == np.float32
    pre = records[0]["calibration"]["2"]["pre"]
    assert pre["ECE_15"] == pytest.approx(cal.ece(cal.softmax(logits), labels, 15), rel=1e-6)
    assert pre["NLL"] == pytest.approx(records[0]["test_loss"][-1], rel=1e-5)
    valid, held = cal.temperature_split(500)
    t = cal.fit_temperature(logits[valid], labels[valid])
    post = records[0]["calibration"]["2"]["post"]
    assert post["ECE_15"] == pytest.approx(
        cal.ece(cal.softmax(logits[held] / np.float32(t)), labels[held], 15), rel=1e-6)


def test_resume_after_a_kill_and_idempotence(built, tmp_path, monkeypatch):
    _, records = built
    real_train = bank.train_arch
    calls = []

    def dies_on_second(arch, *args, **kwargs):
        calls.append(arch)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the run is killed while training B
        return real_train(arch, *args, **kwargs)

    monkeypatch.setattr(bank, "train_arch", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        bank.build_bank([A, B], tmp_path, TINY, progress=False)
    # a complete file with the finished arch, no temporary left behind
    assert [r["arch"] for r in bank.read_results(tmp_path)] == [A]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recipe.json", "results.jsonl.gz"]
    monkeypatch.setattr(bank, "train_arch", real_train)
    resumed = bank.build_bank([A, B], tmp_path, TINY, progress=False)
    assert [_strip(r) for r in resumed] == [_strip(r) for r in records]
    before = (tmp_path / "results.jsonl.gz").read_bytes()

    def must_not_train(*args, **kwargs):
        raise AssertionError("an architecture already in the results was trained again")

    monkeypatch.setattr(bank, "train_arch", must_not_train)
    assert len(bank.build_bank([B, A, A], tmp_path, TINY, progress=False)) == 2
    assert (tmp_path / "results.jsonl.gz").read_bytes() == before
    with gzip.open(tmp_path / "results.jsonl.gz", "rt") as fh:
        assert [json.loads(line)["arch"] for line in fh] == [A, B]


def test_other_recipe_is_refused(built):
    out, _ = built
    other = bank.BankRecipe(**{**TINY.to_json(), "epochs": 3, "bins": (5, 15), "calib_epochs": ()})
    with pytest.raises(bank.RecipeMismatchError, match="epochs: 2 there vs 3 now"):
        bank.build_bank([A], out, other, progress=False)


def test_dask_scheduler_gives_the_same_records(built, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    _, records = built
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        got = bank.build_bank([A, C], tmp_path, TINY, progress=False, scheduler=cluster.scheduler_address)
    by_arch = {r["arch"]: r for r in got}
    assert set(by_arch) == {A, C}
    assert _strip(by_arch[A]) == _strip(records[0])


def test_worker_processes_give_the_same_records(built, tmp_path, capsys):
    _, records = built
    got = bank.build_bank([A, B], tmp_path, TINY, progress=False, n_jobs=2)
    by_arch = {r["arch"]: r for r in got}
    assert [_strip(by_arch[r["arch"]]) for r in records] == [_strip(r) for r in records]
    for bad, named in ((["--n-jobs", "0"], "n_jobs must be an int >= 1, got 0"),
                       (["--threads", "0"], "threads must be an int >= 1, got 0"),
                       (["--limit", "-1"], "limit must be an int >= 0, got -1"),
                       (["--archs", "-1"], "--archs -1: use 0 or more")):
        # --archs -1 once sliced the permutation to all but its last arch (26,205 on nbgraph)
        assert bank.main(["--out", str(tmp_path / "x"), "--archs", "1", *bad, "--quiet"]) == 2, bad
        assert named in capsys.readouterr().err
        assert not (tmp_path / "x").exists()  # refused before anything is written


def test_cli(tmp_path, capsys):
    out = tmp_path / "b"
    argv = ["--out", str(out), "--arch", A, "--epochs", "1", "--channels", "4", "--resolution", "8",
            "--train-size", "100", "--valid-size", "0", "--test-size", "200", "--bins", "5,15",
            "--quiet"]
    assert bank.main(argv) == 0
    assert "1/1 archs done" in capsys.readouterr().out
    assert bank.read_recipe(out).epochs == 1
    rec = bank.read_results(out)[0]
    assert np.isnan(rec["valid_accuracy"][0]) and np.isfinite(rec["test_accuracy"][0])
    assert bank.main(argv) == 0  # idempotent
    for bad, msg in (
        (["--calib-epochs", "x"], "--calib-epochs must be comma-separated integers"),
        (["--calib-epochs", "7"], "calibration epochs [7] outside 1..1"),
        (["--arch", "|nor_conv_3x3~0|+|bogus~0|"], ""),
        (["--space", "nosuchspace"], "nosuchspace"),
    ):
        assert bank.main(argv + bad) == 2, bad
        err = capsys.readouterr().err
        assert err.startswith("nasbench build-bank: error:") and msg in err and err.count("\n") == 1


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA message")
def test_cuda_without_gpu_is_one_line(tmp_path, capsys):
    assert bank.main(["--out", str(tmp_path), "--device", "cuda", "--quiet"]) == 2
    assert "no CUDA device" in capsys.readouterr().err


def test_select_archs_extremes_then_seeded_prefix():
    nasbench = pytest.importorskip("nasbench")
    try:
        nb = nasbench.load("nb201", build_missing=False)
    except Exception:
        pytest.skip("nb201 store not built")
    five = bank.select_archs("nb201", 5, seed=0)
    ten = bank.select_archs("nb201", 10, seed=0)
    assert ten[:7] == five and len(set(ten)) == 12
    assert all(SPACE.canonical(a) == a for a in ten)
    acc = nb.query([SPACE.index(a) for a in ten[:2]], "cifar10", "test_accuracy")
    assert acc[0] == pytest.approx(np.nanmax(nb.query(nb.archs, "cifar10", "test_accuracy")))
    assert acc[1] == pytest.approx(10.0)
    assert bank.select_archs("nb201", 5, seed=1, extremes=False) != five[2:]


def test_store_from_bank_results(built, tmp_path):
    import nasbench
    from nasbench.recipes import nb201_bank
    from nasbench.store import write_store

    out, records = built
    archs = list(SPACE.official_order)
    cols = nb201_bank.read([], archs, folder=out)
    path = write_store(tmp_path / "bank.h5", name="nb201_bank", space="nb201", archs=archs,
                       columns=cols)
    with nasbench.Benchmark(path) as b:
        ia, ib = SPACE.index(A), SPACE.index(B)
        acc = b.query([ia, ib, 0], "cifar10", "test_accuracy")
        assert acc[:2] == pytest.approx([records[0]["test_accuracy"][-1], records[1]["test_accuracy"][-1]])
        assert np.isnan(acc[2])
        assert b.query(ia, "cifar10", "ece/pre_ts/15_bins") == pytest.approx(
            records[0]["calibration"]["2"]["pre"]["ECE_15"])
        assert b.query(ia, "cifar10", "ece/post_ts/5_bins") == pytest.approx(
            records[0]["calibration"]["2"]["post"]["ECE_5"])
        curve = b.curve(ia, "cifar10", "test_loss")
        assert np.asarray(curve).ravel() == pytest.approx(records[0]["test_loss"])
        assert b.query(ia, "cifar10", "params") == pytest.approx(records[0]["params"] / 1e6)


@pytest.mark.slow
def test_graph_bank_trains_nasbench_graph_cells_on_cora(tmp_path):
    pytest.importorskip("torch_geometric")
    from nasbench.spaces.nbgraph import SPACE as GRAPH

    recipe = bank.BankRecipe(space="nbgraph", dataset="cora", optimizer="adam", lr=0.01,
                             schedule="constant", dropout=0.5, epochs=3, bins=(5, 15))
    arch = GRAPH.canonical("0-0-1-2|gcn,fc,gcn,fc")
    got: dict = {}
    rec = bank.train_arch(arch, recipe, logits_out=got)
    assert rec["index"] == GRAPH.index(arch) and rec["params"] > 10_000
    assert len(rec["test_accuracy"]) == 3 and got["test"].shape == (1000, 7)
    assert rec["test_accuracy"][-1] == pytest.approx(
        100 * np.mean(got["test"].argmax(1) == got["test_labels"]))
    c = rec["calibration"]["3"]
    assert set(c) == {"temperature", "pre", "post"}  # no OOD set for graphs
    assert c["pre"]["ECE_15"] == pytest.approx(cal.ece(cal.softmax(got["test"]), got["test_labels"], 15))


def test_committed_bank_store_returns_the_recorded_numbers(tmp_path):
    import nasbench
    from nasbench.recipes import nb201_bank

    if not (nb201_bank.BANK_DIR / "results.jsonl.gz").is_file():
        pytest.skip("no committed bank results yet")
    records = bank.read_results(nb201_bank.BANK_DIR)
    path = nb201_bank.RECIPE.build(tmp_path / "nb201_bank.h5", progress=False)
    with nasbench.Benchmark(path) as b:
        acc = b.query(b.archs, "cifar10", "test_accuracy")
        assert np.isfinite(acc).sum() == len(records)
        by_index = {r["index"]: r for r in records}
        if 6111 in by_index:  # the best NB201 cell, trained first: 49.70 % with the default recipe
            assert acc[6111] == pytest.approx(by_index[6111]["test_accuracy"][-1])
            assert acc[6111] == pytest.approx(49.70)
        for i, r in list(by_index.items())[:5]:
            assert b.query(i, "cifar10", "ece/post_ts/15_bins") == pytest.approx(
                r["calibration"]["5"]["post"]["ECE_15"])
            assert b.query(i, "cifar10", "temperature") == pytest.approx(
                r["calibration"]["5"]["temperature"])


@pytest.mark.slow
def test_tu_graph_classification_bank(tmp_path):
    pytest.importorskip("torch_geometric")
    recipe = bank.BankRecipe(space="nbgraph", dataset="mutag", optimizer="adam", lr=0.005,
                             schedule="constant", C=16, N=1, epochs=2, batch_size=32, bins=(5, 15))
    got: dict = {}
    rec = bank.train_arch("0-0-1-2|gcn,fc,gcn,fc", recipe, logits_out=got)
    # 20 % of MUTAG's 188 graphs, stratified (63 / 125 per class): 13 + 25 test graphs
    assert got["test"].shape == (38, 2) and np.bincount(got["test_labels"]).tolist() == [13, 25]
    assert rec["test_accuracy"][-1] == pytest.approx(
        100 * np.mean(got["test"].argmax(1) == got["test_labels"]))
    assert set(rec["calibration"]["2"]) == {"temperature", "pre", "post"}


@pytest.mark.parametrize("name", ["nbgraph_enzymes_bank", "nbgraph_cora_bank"])
def test_committed_graph_bank_store_returns_the_recorded_numbers(tmp_path, name):
    import importlib

    import nasbench
    from nasbench.spaces.nbgraph import SPACE as GRAPH

    mod = importlib.import_module(f"nasbench.recipes.{name}")
    if not (mod.BANK_DIR / "results.jsonl.gz").is_file():
        pytest.skip(f"no committed {name} results yet")
    records = bank.read_results(mod.BANK_DIR)
    path = mod.RECIPE.build(tmp_path / f"{name}.h5", progress=False)
    recipe = json.loads((mod.BANK_DIR / "recipe.json").read_text())
    last = str(recipe["calib_epochs"][-1] if recipe["calib_epochs"] else recipe["epochs"])
    with nasbench.Benchmark(path) as b:
        assert len(b.archs) == len(records)  # trained archs only
        for r in records[:5]:
            key = GRAPH.key(GRAPH.canonical(r["arch"]))
            assert b.query(key, mod.DATASET, "test_accuracy") == pytest.approx(
                r["test_accuracy"][-1])
            best = int(np.argmin(r["valid_loss"]))
            assert b.query(key, mod.DATASET, "test_accuracy/at_best_valid_loss") == pytest.approx(
                r["test_accuracy"][best])
            assert b.query(r["arch"], mod.DATASET, "ece/pre_ts/15_bins") == pytest.approx(
                r["calibration"][last]["pre"]["ECE_15"])
        untrained = next(a for a in GRAPH.enumerate() if a not in set(b.archs))
        from nasbench.errors import UnknownArchitectureError

        with pytest.raises(UnknownArchitectureError, match="has no row for it"):
            b.query(untrained, mod.DATASET, "test_accuracy")
        # the description ends with the run's status, counted from the committed results
        planned = int(re.search(r"--archs\s+(\d+)", (mod.BANK_DIR / "README.md").read_text())[1]) + 2
        word = "COMPLETE" if len(records) >= planned else "PARTIAL while the run goes on"
        assert b.description.endswith(
            f"{word}: {len(records)} of {planned} planned architectures trained.")


def test_results_past_part_records_go_on_in_numbered_files_rewriting_only_the_last(
        tmp_path, monkeypatch):
    from nasbench.recipes import _bank

    monkeypatch.setattr(bank, "PART_RECORDS", 3)
    records = [{"arch": f"a{i}", "loss": [i / 3]} for i in range(7)]
    bank._write_results(tmp_path, records)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "results-1.jsonl.gz", "results-2.jsonl.gz", "results.jsonl.gz"]
    assert [len(gzip.open(p, "rt").read().splitlines()) for p in _bank.result_files(tmp_path)] == [3, 3, 1]
    assert bank.read_results(tmp_path) == records
    written = []
    real_write = bank._atomic_write
    monkeypatch.setattr(bank, "_atomic_write",
                        lambda path, *a, **k: (written.append(path.name), real_write(path, *a, **k)))
    bank._write_results(tmp_path, records + [{"arch": "a7", "loss": [7.0]}])
    assert written == ["results-2.jsonl.gz"]  # the full parts are left as they are
    assert [r["arch"] for r in bank.read_results(tmp_path)] == [f"a{i}" for i in range(8)]
    assert _bank.bank_status(tmp_path).startswith("8 architectures trained")
    # a gap ends the list: a stray later part is not read as if it followed
    (tmp_path / "results-1.jsonl.gz").unlink()
    assert [r["arch"] for r in bank.read_results(tmp_path)] == ["a0", "a1", "a2"]


def test_bank_status_counts_records_against_the_readme_plan(tmp_path):
    from nasbench.recipes._bank import bank_status, planned_count

    folder = tmp_path / "b"
    folder.mkdir()
    assert planned_count(folder) is None
    assert bank_status(folder) == "PARTIAL: no results yet (see b/README.md for the command)."
    with gzip.open(folder / "results.jsonl.gz", "wt") as fh:
        fh.write('{"arch": "a"}\n{"arch": "b"}\n\n')  # a blank line is not a record
    assert bank_status(folder).startswith("2 architectures trained; the planned count is unknown")
    (folder / "README.md").write_text("    .venv/bin/python -m predictors.bank --archs 2 --no-extremes\n")
    assert planned_count(folder) == 2
    assert bank_status(folder) == "COMPLETE: 2 of 2 planned architectures trained."
    (folder / "README.md").write_text("    .venv/bin/python -m predictors.bank --archs 3\n")
    assert planned_count(folder) == 5  # with the best and worst known archs
    assert bank_status(folder) == "PARTIAL while the run goes on: 2 of 5 planned architectures trained."


def test_a_committed_cora_record_is_what_the_builder_trains():
    """Record 28 of the Cora bank (the first on the sparse path: linear-first ops, input dropout
    drawn on the non-zero entries): the builder, given its arch and the bank's recipe cut to 3
    epochs (a constant learning rate, so the first epochs do not depend on the total), trains the
    same first 3 epochs."""
    import dataclasses

    from nasbench.recipes.nbgraph_cora_bank import BANK_DIR

    records = bank.read_results(BANK_DIR)
    if len(records) < 28:
        pytest.skip("the Cora bank has no record on the sparse path yet")
    rec = records[27]
    recipe = dataclasses.replace(bank.read_recipe(BANK_DIR), epochs=3, calib_epochs=(3,))
    got = bank.train_arch(rec["arch"], recipe)
    assert got["params"] == rec["params"]
    # other torch thread counts sum in another order: losses agree to rounding, not bits
    for key in ("train_loss", "valid_loss", "test_loss"):
        assert got[key] == pytest.approx(rec[key][:3], rel=1e-4)
    # one of the 1,000 test nodes is 0.1 points; a near tie may flip with that rounding
    assert got["test_accuracy"] == pytest.approx(rec["test_accuracy"][:3], abs=0.21)


def test_benchmark_recipe_is_nas_bench_graphs_own_and_flags_override_it():
    r = bank.BankRecipe.benchmark("nbgraph", "cora", calib_epochs=(400,))
    assert (r.optimizer, r.lr, r.momentum, r.nesterov, r.weight_decay, r.dropout, r.epochs,
            r.schedule) == ("sgd", 0.1, 0.0, False, 5e-4, 0.7, 400, "constant")
    assert bank.BankRecipe.benchmark("nbgraph", "citeseer").lr == 0.2
    with pytest.raises(ValueError, match="no benchmark training recipe for nb201/cifar10"):
        bank.BankRecipe.benchmark("nb201", "cifar10")
    with pytest.raises(ValueError, match="Nesterov SGD needs a momentum > 0"):
        bank.BankRecipe(momentum=0.0)


def test_cli_benchmark_recipe_flags(tmp_path, capsys):
    assert bank.main(["--out", str(tmp_path / "b"), "--benchmark-recipe"]) == 2
    assert "no benchmark training recipe for nb201/cifar10" in capsys.readouterr().err
    assert bank.main(["--out", str(tmp_path / "b"), "--momentum", "0"]) == 2
    assert "--no-nesterov" in capsys.readouterr().err
    pytest.importorskip("torch_geometric")
    out = tmp_path / "cora"
    assert bank.main(["--out", str(out), "--space", "nbgraph", "--dataset", "cora",
                      "--benchmark-recipe", "--epochs", "2", "--arch", "0-1-2-3|gcn,gcn,fc,skip",
                      "--quiet"]) == 0
    recipe = bank.read_recipe(out)
    assert (recipe.epochs, recipe.lr, recipe.momentum, recipe.dropout) == (2, 0.1, 0.0, 0.7)
    (rec,) = bank.read_results(out)
    assert len(rec["valid_loss"]) == 2 and 0 <= rec["test_accuracy"][-1] <= 100


def test_a_diverged_run_records_no_calibration_instead_of_stopping_the_bank():
    logits = np.array([[0.0, np.nan], [1.0, 2.0]], dtype=np.float32)
    got = bank._calibration(logits, np.array([0, 1]), None, bank.BankRecipe())
    assert got["diverged"] is True and got["pre"] == {} and np.isnan(got["temperature"])
    ok = bank._calibration(np.array([[0.0, 1.0], [1.0, 2.0]] * 10, dtype=np.float32),
                           np.array([0, 1] * 10), None, bank.BankRecipe(bins=(5,)))
    assert "diverged" not in ok and ok["pre"]["ECE_5"] >= 0
