"""Zero-cost proxies: the registry, fused == one proxy at a time, determinism (serial and
parallel), NaN with reasons, real values against the published tables, the resumable table and
the nb201_zc recipe's fan-out."""

from __future__ import annotations

import copy
import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from nasbench.spaces.nb201 import SPACE  # noqa: E402
from predictors import networks  # noqa: E402
from predictors.zero_cost import cli, passes, registry, runner, table  # noqa: E402

ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
NAMES = ["grad_norm", "snip", "grasp", "fisher", "synflow", "jacov", "nwot", "epe_nas", "zen",
         "plain", "l2_norm", "params", "flops", "gradsign", "zico", "meco", "az_nas", "swap"]
SMALL = {"C": 4, "N": 1}  # a reduced network keeps the suite fast; the proxies are the same code


@pytest.fixture(scope="module")
def inputs():
    torch.set_num_threads(1)
    return runner.cifar10_inputs(batch_size=16, seed=0)


def test_registry_has_the_18_proxies():
    assert registry.available() == NAMES
    with pytest.raises(KeyError, match="unknown proxy 'snipp'; use one of grad_norm"):
        registry.get("snipp,synflow")
    for p in registry.get("all"):
        assert p.paper and p.convention and p.direction == "max"


def test_fused_equals_each_proxy_alone(inputs):
    fused = runner.compute_arch("nb201", 6111, "cifar10", inputs, "all", seed=3, **SMALL)
    assert set(fused.values) == set(NAMES) | {f"az_nas.{c}" for c in
                                              ("expressivity", "progressivity", "trainability", "complexity")}
    for name in NAMES:
        alone = runner.compute_arch("nb201", 6111, "cifar10", inputs, [name], seed=3, **SMALL)
        for key, v in alone.values.items():
            if math.isnan(v):
                assert math.isnan(fused.values[key]) and fused.reasons[key] == alone.reasons[key]
            else:
                assert fused.values[key] == pytest.approx(v, rel=1e-5, abs=1e-9), key
    assert fused.reasons == {"az_nas": runner.POPULATION}


def test_deterministic_for_a_seed_serial_and_parallel(inputs, tmp_path):
    a = runner.compute_arch("nb201", 1234, "cifar10", inputs, "all", seed=0, **SMALL)
    b = runner.compute_arch("nb201", 1234, "cifar10", inputs, "all", seed=0, **SMALL)
    assert a.values.keys() == b.values.keys()
    for k in a.values:
        assert a.values[k] == b.values[k] or (math.isnan(a.values[k]) and math.isnan(b.values[k]))
    c = runner.compute_arch("nb201", 1234, "cifar10", inputs, "all", seed=1, **SMALL)
    assert c.values["snip"] != a.values["snip"]

    from joblib import Parallel, delayed

    par = Parallel(n_jobs=2)(delayed(_values)(i) for i in (5, 1234))
    assert par[1] == _values(1234)


def _values(arch: int) -> dict:
    torch.set_num_threads(1)
    res = runner.compute_arch("nb201", arch, "cifar10", runner.cifar10_inputs(16, 0), "all", seed=0, **SMALL)
    return {k: (None if math.isnan(v) else v) for k, v in res.values.items()}


def test_constant_output_gives_nan_with_reason(inputs):
    res = runner.compute_arch("nb201", ALL_NONE, "cifar10", inputs, "all", seed=0, **SMALL)
    for name in ("jacov", "nwot", "snip", "meco", "zen", "gradsign", "swap", "az_nas"):
        assert math.isnan(res.values[name])
        assert res.reasons[name] == runner.CONSTANT_OUTPUT
    # size proxies and synflow stay defined
    assert res.values["params"] > 0 and res.values["flops"] > 0 and res.values["synflow"] == 0.0


def test_gradsign_per_image_pass_equals_one_image_at_a_time(inputs):
    torch.manual_seed(0)
    net = networks.build("nb201", 6111, "cifar10", **SMALL)
    fused = passes.persample_pass(net, inputs, set())["gradsign"]
    twin = copy.deepcopy(net).train()
    layers = passes.weighted_layers(twin)
    grads = []
    for i in range(len(inputs.y)):  # the official loop: each image alone through the network
        twin.zero_grad()
        torch.nn.functional.cross_entropy(twin(inputs.x[[i]]), inputs.y[[i]]).backward()
        grads.append(torch.cat([m.weight.grad.flatten() for m in layers]))
    official = float(torch.stack(grads).sign().sum(0).abs().sum())
    assert fused == pytest.approx(official, rel=1e-4)


def test_grasp_hvp_equals_autograd_hvp(inputs):
    torch.manual_seed(0)
    net = networks.build("nb201", 6111, "cifar10", C=2, N=1)
    out = passes.data_pass(net, inputs, {"grad", "hvp"})
    weights = [m.weight for m in passes.weighted_layers(net)]

    def loss(*ws):
        state = dict(net.named_parameters())
        names = [n for n, p in net.named_parameters() if any(p is w for w in weights)]
        return torch.nn.functional.cross_entropy(
            torch.func.functional_call(net, {**state, **dict(zip(names, ws))}, (inputs.x,)), inputs.y)

    _, hv = torch.autograd.functional.hvp(loss, tuple(w.detach() for w in weights), tuple(out["grad"]))
    for a, b in zip(out["hvp"], hv):
        torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-6)


def test_size_proxies_equal_the_published_table(nb201, inputs):
    archs = SPACE.sample(6, seed=2)
    for a in archs:
        res = runner.compute_arch("nb201", a, "cifar10", inputs, ["params", "flops"], seed=0)
        assert res.values["params"] == pytest.approx(nb201.query(a, "cifar10", "params"), abs=1e-6)
        assert res.values["flops"] == pytest.approx(nb201.query(a, "cifar10", "flops"), abs=1e-4)


def test_synflow_ranks_like_suite_zero(nb201, inputs):
    from scipy.stats import spearmanr

    theirs = nb201.query(list(range(0, 400, 10)), "cifar10", "zc/synflow")
    idx = [i for i, v in zip(range(0, 400, 10), theirs) if np.isfinite(v)][:25]
    ours = [runner.compute_arch("nb201", i, "cifar10", inputs, ["synflow"], seed=0).values["synflow"]
            for i in idx]
    rho = spearmanr(ours, nb201.query(idx, "cifar10", "zc/synflow"))[0]
    assert rho > 0.9


def test_cli_bad_input_is_one_line_exit_2(capsys):
    assert cli.main(["nb201", "--dataset", "imagenet", "--archs", "3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown dataset 'imagenet'" in err[0]
    assert cli.main(["nb201", "--dataset", "cifar10", "--proxies", "nope"]) == 2
    assert cli.main(["nb201", "--dataset", "cifar10", "--archs", "no/such/file"]) == 2
    capsys.readouterr()
    assert cli.main(["nb201", "--dataset", "cifar10", "--threads", "0"]) == 2
    assert "--threads" in capsys.readouterr().err


def test_negative_seeds_are_refused_before_anything_is_written(tmp_path, capsys):
    # a negative seed once wrote the manifest, then failed in numpy ("expected non-negative
    # integer", no argument named)
    for flag, name in (("--seed", "seed"), ("--order-seed", "order_seed")):
        argv = ["nb201", "--dataset", "cifar10", "--archs", "2", "--proxies", "params",
                flag, "-1", "--out", str(tmp_path / "zc"), "--no-progress"]
        assert cli.main(argv) == 2
        assert f"{name} must be an int >= 0, got -1" in capsys.readouterr().err
        assert not (tmp_path / "zc").exists()
    with pytest.raises(ValueError, match="seed must be an int >= 0, got -1"):
        runner.cifar10_inputs(batch_size=8, seed=-1)
    with pytest.raises(ValueError, match="batch_size must be an int >= 2, got 1"):
        runner.cifar10_inputs(batch_size=1)


def test_table_resumes_after_a_lost_chunk(tmp_path):
    archs = tmp_path / "archs.txt"
    archs.write_text("0\n11\n284\n")
    argv = ["nb201", "--dataset", "cifar10", "--archs", str(archs), "--proxies", "params,flops,synflow",
            "--out", str(tmp_path / "zc"), "--chunk", "1", "--no-progress", "--batch-size", "8"]
    assert cli.main(argv) == 0
    first = table.read_results(tmp_path / "zc").sort_values("index").reset_index(drop=True)
    assert list(first["index"]) == [0, 11, 284]
    (tmp_path / "zc" / "chunk-00001.csv.gz").unlink()
    torch.set_num_threads(1)
    assert cli.main(argv + ["--threads", "2"]) == 0  # threads are not a setting: it resumes
    assert torch.get_num_threads() == 1  # and the chunk run in this process gives them back
    again = table.read_results(tmp_path / "zc").sort_values("index").reset_index(drop=True)
    pd.testing.assert_frame_equal(first.drop(columns="seconds"), again.drop(columns="seconds"))
    manifest = json.loads((tmp_path / "zc" / "manifest.json").read_text())
    assert manifest["archs_done"] == 3 and "nasbench proxies nb201" in manifest["command"]
    with pytest.raises(ValueError, match="other settings"):
        table.run("nb201", "cifar10", [0], ["params"], tmp_path / "zc", progress=False)


def test_a_run_without_progress_bar_logs_its_pace(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(table, "LOG_SECONDS", 0.0)
    table.run("nb201", "cifar10", [0, 11, 284], ["synflow"], tmp_path / "zc", chunk=1, batch_size=8,
              progress=False)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0].startswith("nb201 proxies: 1 of 3 archs (33.3%), ")
    assert "min left at that pace" in lines[0]
    assert lines[-1].startswith("nb201 proxies: 3 of 3 archs (100.0%), ")
    assert "left" not in lines[-1] and len(lines) == 4  # one a chunk, one at the end
    table.run("nb201", "cifar10", [0, 11, 284], ["synflow"], tmp_path / "zc", chunk=1, batch_size=8,
              progress=False)
    assert capsys.readouterr().err.strip() == "nb201 proxies: 3 of 3 archs (100.0%)"  # nothing new


def test_progress_line_reads_the_pace_of_this_run_only():
    manifest = {"archs_done": 1_300, "planned_archs": 26_206}
    line = table.progress_line("nbgraph", manifest, done_before=1_000, seconds=600)
    # 300 archs in 10 min: 30 a minute, 24,906 left: 830.2 min
    assert line == ("nbgraph proxies: 1,300 of 26,206 archs (5.0%), 30.0 archs/min over this "
                    "run's 10 min, about 13 h 50 min left at that pace")


def test_a_fanned_out_run_times_its_representatives_and_other_cells_apart():
    every, cheap = ["snip", "params"], ["params"]
    planned = [(0, "a", every), (5, "b", every), (7, "c", every), (1, "d", cheap), (2, "e", cheap),
               (3, "f", cheap), (4, "g", cheap)]
    rows = pd.DataFrame({"index": [0, 5, 1], "seconds": [3000.0, 4200.0, 120.0]})
    parts = table.split_progress(planned, every, rows)
    assert parts == {table.FULL_PART: (2, 3, 3600.0), table.CELL_PART: (1, 4, 120.0)}
    manifest = {"archs_done": 3, "planned_archs": 7}
    # one representative left at 3,600 s and three cells at 120 s: 66 min over two processes
    line = table.progress_line("nb201", manifest, 0, 600, parts, n_jobs=2)
    assert line == ("nb201 proxies: 3 of 7 archs (42.9%); class representatives (every proxy): 2 of "
                    "3, 3600.0 s each; other cells (per-cell proxies): 1 of 4, 120.0 s each; about "
                    "0 h 33 min left")
    parts = table.split_progress(planned, every, rows[rows["index"] != 1])
    assert parts[table.CELL_PART][:2] == (0, 4) and np.isnan(parts[table.CELL_PART][2])
    line = table.progress_line("nb201", {"archs_done": 2, "planned_archs": 7}, 0, 600, parts)
    assert line.endswith("other cells (per-cell proxies): 0 of 4, not timed yet; about 1 h 00 min "
                         "left for the class representatives, more for the other cells")
    # a resumed run (say on a slower machine) paces itself by its own rows only
    parts = table.split_progress(planned, every, rows, rows_before={0, 1})
    assert parts[table.FULL_PART] == (2, 3, 4200.0)
    assert parts[table.CELL_PART][:2] == (1, 4) and np.isnan(parts[table.CELL_PART][2])


def test_a_results_folder_without_chunks_reads_as_nothing_done(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"settings": {"proxies": ["params"]}}))
    manifest = table.count_done(tmp_path)
    assert (manifest["archs_done"], manifest["arch_seconds_sum"]) == (0, 0.0)
    planned = [(0, "a", ["snip", "params"]), (1, "b", ["params"])]
    parts = table.split_progress(planned, ["snip", "params"], table.read_results(tmp_path))
    assert [p[:2] for p in parts.values()] == [(0, 1), (0, 1)]
    assert all(np.isnan(p[2]) for p in parts.values())


def test_plan_scores_representatives_first_and_size_proxies_everywhere():
    planned = table.plan("nb201", "all", ["snip", "params"], order_seed=0)
    full = [p for p in planned if p[2] == ["snip", "params"]]
    assert len(full) == 6466 and len(planned) == 15625
    assert {p[0] for p in planned} == set(range(15625))
    assert all(SPACE.canonical(a) == a for _, a, _ in full)
    assert [p[2] for p in planned[6466:]] == [["params"]] * (15625 - 6466)


def test_plan_gives_zen_and_meco_to_every_cell():
    # they read a dead edge's BN (Zen) and output (MeCo): not the class's value
    planned = table.plan("nb201", "all", ["snip", "zen", "meco", "params"], order_seed=0)
    assert [p[2] for p in planned[6466:]] == [["zen", "meco", "params"]] * (15625 - 6466)
    assert len(table.chunks(planned, 25)) == len(table.chunks(
        table.plan("nb201", "all", ["snip", "params"]), 25))  # the same chunk boundaries


def test_fill_computes_the_per_cell_proxies_rows_lack(tmp_path):
    rep = SPACE.canonical(SPACE.arch_at(3))
    sibling = next(a for a in SPACE.enumerate() if SPACE.canonical(a) == rep and a != rep)
    out = tmp_path / "zc"
    table.run("nb201", "cifar10", [rep], ["zen", "meco", "params"], out, progress=False)
    # a sibling row from before zen / meco were per cell: params only
    pd.DataFrame([{"index": SPACE.index(sibling), "arch": sibling, "params": 0.5,
                   "reasons": "{}", "seconds": 0.1}]).to_csv(out / "chunk-00001.csv.gz", index=False)
    # the manifest counts it (as any run's progress does); resuming the run fills it in
    assert table.count_done(out)["rows_missing_per_cell"] == table.missing_per_cell(out) == 1
    table.run("nb201", "cifar10", [rep], ["zen", "meco", "params"], out, progress=False)
    rows = table.read_results(out).set_index("arch")
    alone = runner.compute_arch("nb201", sibling, "cifar10", table._run_inputs("cifar10", 64, 0, None),
                                ["zen", "meco"], seed=0)
    assert rows.at[sibling, "zen"] == pytest.approx(alone.values["zen"], rel=1e-6)
    assert rows.at[sibling, "meco"] == pytest.approx(alone.values["meco"], rel=1e-6)
    assert rows.at[sibling, "params"] == 0.5  # what the row held is kept
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rows_missing_per_cell"] == 0 and table.fill(out, progress=False) == 0


def test_fill_in_worker_processes_gives_the_serial_numbers(tmp_path):
    rep = SPACE.canonical(SPACE.arch_at(3))
    siblings = [a for a in SPACE.enumerate() if SPACE.canonical(a) == rep and a != rep][:2]
    serial = tmp_path / "serial"
    table.run("nb201", "cifar10", [rep], ["zen", "meco", "params"], serial, progress=False)
    for k, sib in enumerate(siblings, start=1):  # one chunk each, so both workers get one
        pd.DataFrame([{"index": SPACE.index(sib), "arch": sib, "params": 0.5, "reasons": "{}",
                       "seconds": 0.1}]).to_csv(serial / f"chunk-0000{k}.csv.gz", index=False)
    spread = tmp_path / "spread"
    shutil.copytree(serial, spread)
    torch.set_num_threads(2)
    assert table.fill(serial, progress=False) == 2
    assert torch.get_num_threads() == 2  # the in-process chunks ran on 1 thread, then gave it back
    torch.set_num_threads(1)
    assert table.fill(spread, progress=False, n_jobs=2) == 2
    a, b = (table.read_results(d).set_index("arch").sort_index() for d in (serial, spread))
    assert a.loc[siblings, "meco"].notna().all()
    pd.testing.assert_frame_equal(a.drop(columns="seconds"), b.drop(columns="seconds"))
    assert json.loads((spread / "manifest.json").read_text())["rows_missing_per_cell"] == 0


def test_recipe_fans_out_and_aggregates(tmp_path):
    from nasbench.recipes import nb201_zc

    rep = SPACE.canonical(SPACE.arch_at(3))
    sibling, waiting = [a for a in SPACE.enumerate() if SPACE.canonical(a) == rep and a != rep][:2]
    rows = pd.DataFrame([
        {"index": SPACE.index(rep), "arch": rep, "snip": 2.0, "params": 0.5, "flops": 1.0,
         **{f"az_nas.{c}": 1.0 for c in nb201_zc.AZ_COMPONENTS}, "reasons": "{}", "seconds": 1.0},
        {"index": 0, "arch": SPACE.arch_at(0), "snip": 1.0, "params": 0.1, "flops": 0.0,
         **{f"az_nas.{c}": 0.0 for c in nb201_zc.AZ_COMPONENTS}, "reasons": "{}", "seconds": 1.0},
        {"index": SPACE.index(sibling), "arch": sibling, "snip": np.nan, "params": 0.7, "flops": 3.0,
         **{f"az_nas.{c}": np.nan for c in nb201_zc.AZ_COMPONENTS}, "reasons": "{}", "seconds": 1.0},
    ])
    rows.to_csv(tmp_path / "chunk-00000.csv.gz", index=False)
    (tmp_path / "manifest.json").write_text(json.dumps({"settings": {"batch_size": 64, "seed": 0}}))
    columns = nb201_zc.read([], list(SPACE.official_order), folder=tmp_path)
    assert {c.metric: c.unit for c in columns if c.metric in ("zc/params", "zc/snip")} == {
        "zc/params": "M", "zc/snip": "score"}
    cols = {c.metric: c.values for c in columns}
    assert cols["zc/snip"][SPACE.index(sibling)] == 2.0  # fanned out from its representative
    assert cols["zc/params"][SPACE.index(sibling)] == 0.7  # per cell, never copied
    # AZ-NAS's complexity is the FLOPs: the sibling's own (a dead conv counts), not its class's
    assert cols["zc/az_nas.complexity"][SPACE.index(sibling)] == 3.0
    assert cols["zc/az_nas.expressivity"][SPACE.index(sibling)] == 1.0
    assert np.isnan(cols["zc/az_nas.complexity"][1])  # not scored: stays unscored
    assert np.isnan(cols["zc/snip"][1])
    # a sibling the per-cell pass has not reached: its class's scores, but no FLOPs of its own
    # yet, so no complexity (its class's would be another network's) and no AZ-NAS score
    w = SPACE.index(waiting)
    assert cols["zc/snip"][w] == 2.0 and cols["zc/az_nas.expressivity"][w] == 1.0
    assert np.isnan(cols["zc/flops"][w]) and np.isnan(cols["zc/az_nas.complexity"][w])
    agg = cols["zc/az_nas"]
    assert np.isnan(agg[w])
    assert agg[SPACE.index(rep)] > agg[0]
    assert np.isnan(agg[1])  # ranked only among the scored cells
    assert np.isfinite(agg).sum() == 3  # rep, arch 0, sibling
    # every planned row scored, but rows still lack their own Zen / MeCo: PARTIAL, says how to fill
    from nasbench.recipes._zc import ZcTable

    (tmp_path / "manifest.json").write_text(json.dumps({
        "settings": {}, "archs_done": 3, "planned_archs": 3, "rows_missing_per_cell": 1}))
    text = ZcTable(SPACE, "cifar10", tmp_path, "nasbench proxies nb201 --archs all",
                   unit="cells").progress()
    assert text.startswith("PARTIAL: 1 cells still lack") and "--archs all --fill`" in text


def test_az_nas_aggregate_ranks_within_the_population():
    from predictors.zero_cost.proxies.az_nas import COMPONENTS, aggregate

    comps = {k: np.array([1.0, 2.0, 3.0, np.nan]) for k in COMPONENTS}
    comps["trainability"] = np.array([np.nan, 2.0, 3.0, np.nan])
    agg = aggregate(comps)
    np.testing.assert_allclose(agg[:3], [np.log(1 / 3) * 4, np.log(2 / 3) * 4, 0.0])
    assert np.isnan(agg[3])


def _official_aznas(net, x_shape, seed):
    """AZ-NAS's NB201 components written out as the official ``compute_az_nas_score.py`` does
    them (explicit stem / cell loop, float32 eigenvalues, the per-pixel outer-product mean), with
    the pass's random draws in the pass's order."""
    gen = passes._generator(seed, 4, torch.device("cpu"))
    net = copy.deepcopy(net)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.normal_(0.0, math.sqrt(2.0 / fan_in), generator=gen)
    net.train()
    x = torch.randn(x_shape, generator=gen)
    feats = [net.stem(x)]
    for cell in net.cells:
        feats.append(cell(feats[-1]))
    ent = []
    for f in feats:
        b, c, h, w = f.shape
        z = f.detach().permute(0, 2, 3, 1).reshape(b * h * w, c)
        z = z - z.mean(0, keepdim=True)
        p = torch.linalg.eigvalsh(z.T @ z / z.shape[0])
        p = p / p.sum()
        ent.append(float((-p * torch.log(p + 1e-8)).sum()))
    scores = []
    for i in reversed(range(1, len(feats))):
        g_out = torch.randint(0, 2, feats[i].shape, generator=gen, dtype=feats[i].dtype) * 2 - 1
        (g_in,) = torch.autograd.grad(feats[i], feats[i - 1], g_out, retain_graph=True)
        if g_in.shape[2] != g_out.shape[2]:
            g_in = torch.nn.functional.pixel_unshuffle(g_in, g_in.shape[2] // g_out.shape[2])
        go = g_out.permute(0, 2, 3, 1).reshape(-1, 1, g_out.shape[1])
        gi = g_in.permute(0, 2, 3, 1).reshape(-1, g_in.shape[1], 1)
        s = float(torch.linalg.svdvals(torch.bmm(gi, go).mean(0)).max())
        scores.append(-s - 1 / (s + 1e-6) + 2)
    ent = np.array(ent)
    return {"expressivity": ent.sum(), "progressivity": np.min(np.diff(ent)),
            "trainability": np.mean(scores)}


def test_az_nas_pass_equals_the_official_formulas(inputs):
    arch = "|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|nor_conv_1x1~0|none~1|nor_conv_3x3~2|"
    torch.manual_seed(0)
    net = networks.build("nb201", arch, "cifar10", **SMALL)
    got = passes.aznas_pass(net, inputs, {"aznas"})["aznas"]
    want = _official_aznas(net, tuple(inputs.x.shape), inputs.seed)
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=1e-4, abs=1e-5), k
    assert got["trainability"] < 0 and got["expressivity"] > 0


def test_redo_nonfinite_recomputes_only_rows_with_non_finite_values(tmp_path, capsys):
    out = tmp_path / "zc"
    argv = ["nb201", "--dataset", "cifar10", "--archs", "2", "--proxies", "az_nas,params",
            "--out", str(out), "--chunk", "2", "--no-progress", "--batch-size", "8"]
    assert cli.main(argv) == 0
    path = next(out.glob("chunk-*.csv.gz"))
    first = pd.read_csv(path)
    broken = first.copy()
    why = json.loads(broken.at[0, "reasons"])
    why["az_nas.expressivity"] = "non-finite value (nan)"
    broken.at[0, "az_nas.expressivity"] = np.nan
    broken.at[0, "reasons"] = json.dumps(why, sort_keys=True)
    broken.at[1, "az_nas.trainability"] = 123.0  # finite: must be left as it is
    broken.to_csv(path, index=False)
    assert cli.main(argv[:3] + ["--out", str(out), "--redo-nonfinite", "az_nas"]) == 0
    assert "1 rows recomputed" in capsys.readouterr().out
    again = pd.read_csv(path)
    assert again.at[0, "az_nas.expressivity"] == pytest.approx(first.at[0, "az_nas.expressivity"], rel=1e-9)
    assert json.loads(again.at[0, "reasons"]) == json.loads(first.at[0, "reasons"])
    assert again.at[1, "az_nas.trainability"] == 123.0
    assert cli.main(argv[:3] + ["--out", str(tmp_path / "none"), "--redo-nonfinite", "az_nas"]) == 2


def test_az_nas_expressivity_is_finite_on_rank_deficient_features(inputs, monkeypatch):
    # 64 channels made from 3 input values: the feature covariance has rank 3 and eigvalsh
    # returns tiny negative eigenvalues, which once made the entropy log(<0) = NaN
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 64, 1), torch.nn.BatchNorm2d(64),
                              torch.nn.Conv2d(64, 64, 1), torch.nn.BatchNorm2d(64))
    monkeypatch.setattr(passes, "feature_blocks", lambda twin: [twin[1], twin[3]])
    got = passes.aznas_pass(net, inputs, {"aznas"})["aznas"]
    assert math.isfinite(got["expressivity"]) and math.isfinite(got["progressivity"])
