"""The GPU-machine driver (``benchmarks/device_run.py``) on this machine, with stand-in jobs.

The driver's jobs are hours of proxies and bank training; here each job is a tiny Python command
that writes what the real one writes (a proxy chunk; a bank folder), so the orchestration is
what is checked: jobs started with the pack's environment, stopped at the deadline, only new
results packed, and the archive merged into ``data/`` with the device recorded.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("device_run", ROOT / "benchmarks" / "device_run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture()
def dr(tmp_path, monkeypatch):
    mod = _load()
    monkeypatch.setattr(mod, "ROOT", tmp_path)
    monkeypatch.setattr(mod, "PREP", tmp_path / ".device")
    table = tmp_path / "data" / "zc" / "nbgraph_cora"
    table.mkdir(parents=True)
    (table / "manifest.json").write_text(json.dumps({"settings": {}}))
    (table / "chunk-00000.csv.gz").write_bytes(gzip.compress(b"index,arch,seconds\n0,a,1.5\n"))
    (tmp_path / ".device").mkdir()
    (tmp_path / ".device" / "bank_cora_archs.txt").write_text("a\nb\nc\n")

    def zc_command(folder, device, workers):
        # writes one new chunk, then would run for minutes: the deadline must stop it
        # (its one arch is named after the input pack it was given)
        code = (f"import gzip, os, time; p = {str(folder / 'chunk-00010.csv.gz')!r}; "
                "row = 'index,arch,seconds\\n1,' + os.environ['NASBENCH_INPUT_PACK'] + ',2.5\\n'; "
                "open(p, 'wb').write(gzip.compress(row.encode())); time.sleep(120)")
        return [sys.executable, "-c", code]

    def bank_command(archs, folder, device):
        recs = "".join(json.dumps({"arch": a, "device": device}) + "\n" for a in archs)
        code = (f"import gzip, json, pathlib; d = pathlib.Path({str(folder)!r}); d.mkdir(); "
                "(d / 'recipe.json').write_text(json.dumps({'space': 'nbgraph'})); "
                f"gzip.open(d / 'results.jsonl.gz', 'wt').write({recs!r})")
        return [sys.executable, "-c", code]

    monkeypatch.setattr(mod, "_zc_command", zc_command)
    monkeypatch.setattr(mod, "_bank_command", bank_command)
    return mod


def test_run_stops_at_the_deadline_and_collect_merges_only_new_results(dr, tmp_path):
    out = tmp_path / "out"
    # long enough for the stand-ins to start and write on a loaded machine
    dr.run(6, out, ["zc-nbgraph_cora", "bank-cora"], workers=2, device="cpu")
    with tarfile.open(out / "results.tar.gz") as tar:
        names = sorted(tar.getnames())
    # the chunk committed before the run is not sent back; both bank workers' folders are
    assert names == ["bank-0/recipe.json", "bank-0/results.jsonl.gz", "bank-1/recipe.json",
                     "bank-1/results.jsonl.gz", "run.json", "zc/nbgraph_cora/chunk-00010.csv.gz"]
    # the jobs read the input pack that prepare writes
    chunk = tmp_path / "data" / "zc" / "nbgraph_cora" / "chunk-00010.csv.gz"
    pack = str(tmp_path / ".device" / "inputs.npz")
    assert gzip.decompress(chunk.read_bytes()).decode().splitlines()[1] == f"1,{pack},2.5"

    chunk.unlink()  # as on this machine: the chunk exists only in the archive
    dr.collect(out / "results.tar.gz")
    assert chunk.is_file()
    runs = json.loads((chunk.parent / "device_runs.json").read_text())
    assert runs[0]["device"] == "cpu" and runs[0]["chunks"] == ["chunk-00010.csv.gz"]
    assert 6 <= runs[0]["wall_seconds"] < 60
    # the manifest counts the merged chunk (the store's recipe reads it: partial or complete)
    manifest = json.loads((chunk.parent / "manifest.json").read_text())
    assert manifest["archs_done"] == 2 and manifest["arch_seconds_sum"] == 4.0
    bank_dir = tmp_path / "data" / "bank" / "nbgraph_cora"
    got = [json.loads(line) for line in gzip.open(bank_dir / "results.jsonl.gz", "rt")]
    # workers took archs a, c and b; every arch once
    assert sorted(r["arch"] for r in got) == ["a", "b", "c"]
    assert json.loads((bank_dir / "recipe.json").read_text())["space"] == "nbgraph"


def test_collect_refuses_a_bank_of_another_recipe(dr, tmp_path):
    bank_dir = tmp_path / "data" / "bank" / "nbgraph_cora"
    bank_dir.mkdir(parents=True)
    (bank_dir / "recipe.json").write_text(json.dumps({"space": "nbgraph", "epochs": 400}))
    with gzip.open(bank_dir / "results.jsonl.gz", "wt") as fh:
        fh.write(json.dumps({"arch": "z"}) + "\n")
    out = tmp_path / "out"
    dr.run(3, out, ["bank-cora"], workers=1, device="cpu")
    with pytest.raises(ValueError, match="another recipe.*epochs: 400 there vs 5 now"):
        dr.collect(out / "results.tar.gz")
    # nothing half-merged: the committed records are untouched
    assert [json.loads(x) for x in gzip.open(bank_dir / "results.jsonl.gz", "rt")] == [{"arch": "z"}]


def test_unknown_job_is_refused(dr, capsys):
    with pytest.raises(SystemExit) as err:
        dr.main(["run", "--seconds", "1", "--out", "x", "--jobs", "zc-nope"])
    assert err.value.code == 2
    assert "unknown job 'zc-nope'" in capsys.readouterr().err


def test_real_job_commands_parse_with_the_real_command_lines():
    # the jobs the GPU machine runs are the project's own commands: their flags must still exist
    real = _load()
    from predictors import bank
    from predictors.zero_cost.cli import build_parser

    jobs = real.zc_jobs()
    assert {"zc-nb101_cifar10", "zc-nbgraph_cora", "zc-nbmacro_cifar10"} <= set(jobs)
    for job, folder in jobs.items():
        cmd = real._zc_command(folder, "cuda", 4)
        assert cmd[1:4] == ["-m", "nasbench.cli", "proxies"]
        args = build_parser().parse_args(cmd[4:])
        settings = json.loads((folder / "manifest.json").read_text())["settings"]
        assert (args.space, args.dataset, args.chunk, args.batch_size, args.seed) == (
            settings["space"], settings["dataset"], settings["chunk"], settings["batch_size"],
            settings["seed"]), job
        assert args.proxies.split(",") == settings["proxies"] and args.device == "cuda"
    cmd = real._bank_command(["0-0-1-2|gcn,fc,gcn,fc"], Path("out"), "cuda")
    assert cmd[1:3] == ["-m", "predictors.bank"]
    args = bank._parser().parse_args(cmd[3:])
    assert args.space == "nbgraph" and args.dataset == "cora" and args.device == "cuda"
    assert args.arch == ["0-0-1-2|gcn,fc,gcn,fc"]
    # the GPU run trains the committed Cora bank's recipe, or collect would refuse its records
    assert bank.recipe_from_args(args) == bank.read_recipe(ROOT / real.BANK_CORA)


def test_collect_completes_a_chunk_filled_on_the_device(dr, tmp_path):
    """A resumed run fills per-cell proxies into a committed chunk: it comes back changed and
    collect adds the values it lacks here, keeping every value it has."""
    import pandas as pd

    table = tmp_path / "data" / "zc" / "nbgraph_cora"
    chunk = table / "chunk-00000.csv.gz"
    pd.DataFrame({"index": [0, 1], "arch": ["a", "b"], "params": [1.0, 2.0],
                  "reasons": ["{}", "{}"], "seconds": [0.1, 0.1]}).to_csv(chunk, index=False)
    filled = (f"import pandas as pd; p = {str(chunk)!r}; d = pd.read_csv(p); "
              "d['zen'] = [3.0, float('nan')]; d['params'] = [9.0, 9.0]; "
              "d['reasons'] = ['{}', '{\"zen\": \"no input dependence\"}']; "
              "d.to_csv(p, index=False); import time; time.sleep(120)")
    dr._zc_command = lambda folder, device, workers: [sys.executable, "-c", filled]
    out = tmp_path / "out"
    dr.run(6, out, ["zc-nbgraph_cora"], workers=1, device="cpu")
    with tarfile.open(out / "results.tar.gz") as tar:
        assert "zc/nbgraph_cora/chunk-00000.csv.gz" in tar.getnames()  # changed, so sent back
    pd.DataFrame({"index": [0, 1], "arch": ["a", "b"], "params": [1.0, 2.0],
                  "reasons": ["{}", "{}"], "seconds": [0.1, 0.1]}).to_csv(chunk, index=False)
    dr.collect(out / "results.tar.gz")
    got = pd.read_csv(chunk).set_index("arch")
    assert got.at["a", "zen"] == 3.0 and list(got["params"]) == [1.0, 2.0]  # ours kept
    assert json.loads(got.at["b", "reasons"]) == {"zen": "no input dependence"}
    assert dr.merge_chunk(chunk, chunk) == 0  # nothing more to add: not rewritten
