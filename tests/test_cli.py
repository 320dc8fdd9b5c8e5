"""The `nasbench` command: real values, one-line errors with exit code 2, atomic table files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types

import numpy as np
import pandas as pd
import pytest

import nasbench
from nasbench import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCH_6111 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("nasbench: error: ") and "Traceback" not in err
    for needle in needles:
        assert needle in lines[0]


# -- query ---------------------------------------------------------------------------------------
def test_query_best_cifar10_arch(nb201, capsys):
    code, out, _ = run(capsys, "query", "nb201", "6111", "--dataset", "cifar10", "--metric", "test_accuracy")
    assert code == 0
    assert "94.37333333" in out and ARCH_6111 in out


def test_query_json_is_exact_and_accepts_arch_strings(nb201, capsys):
    code, out, _ = run(capsys, "query", "nb201", ARCH_6111, "0", "-d", "cifar100",
                       "-m", "test_accuracy", "-m", "train_loss", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["index"] for r in rows] == [6111, 0]
    for r in rows:
        for metric in ("test_accuracy", "train_loss"):
            assert r["values"][metric] == nb201.query(r["index"], "cifar100", metric)
    assert rows[0]["values"]["test_accuracy"] == pytest.approx(73.22, abs=1e-4)


def test_query_seeds_and_all_metrics(nb201, capsys):
    code, out, _ = run(capsys, "query", "nb201", "6111", "-d", "cifar10", "-m", "test_accuracy",
                       "--seed", "all", "--json")
    assert code == 0
    runs = json.loads(out)[0]["values"]["test_accuracy"]
    expected = nb201.query(6111, "cifar10", "test_accuracy", seed="all")
    assert runs == [None if np.isnan(v) else v for v in expected]
    assert np.nanmean(expected) == pytest.approx(94.37333, abs=1e-4)
    # no --metric: every metric of the dataset, one row each
    code, out, _ = run(capsys, "query", "nb201", "6111", "-d", "ImageNet16-120")
    assert code == 0
    for metric in ("test_accuracy", "train_loss"):
        assert any(line.split()[:1] == [metric] for line in out.splitlines())


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["query", "nb201", "99999", "-d", "cifar10", "-m", "test_accuracy"], ["99999", "0 to 15624"]),
        (["query", "nb201", "|foo~0|+|x|", "-d", "cifar10", "-m", "test_accuracy"], ["|foo~0|+|x|"]),
        (["query", "nb201", "0", "-d", "cifar-10", "-m", "test_accuracy"], ["cifar-10", "cifar10-valid"]),
        (["query", "nb201", "0", "-d", "cifar10", "-m", "accuracy"], ["'accuracy'", "known: "]),
        (["query", "nb201", "0", "-d", "cifar10", "-m", "test_accuracy", "-b", "7"], ["budget", "7"]),
        (["query", "nb_201", "0", "-d", "cifar10"], ["nb_201", "nb201"]),
        (["info", "/nonexistent/store.h5"], ["/nonexistent/store.h5"]),
    ],
)
def test_bad_input_is_one_line_exit_2(nb201, capsys, argv, needles):
    code, out, err = run(capsys, *argv)
    assert_one_line_error(code, err, *needles)
    assert out == ""


# -- list / info ---------------------------------------------------------------------------------
def test_list_and_info(nb201, capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["benchmark", "space", "archs", "datasets", "metrics", "sources", "built"]
    row = next(r.split() for r in rows if r.split()[0] == "nb201")
    assert row[1:3] == ["nb201", "15,625"] and row[3] == str(len(nb201.datasets)) and row[-1] == "yes"
    assert row[5] == str(sum(s.get("part") != "code" for s in nb201.sources))  # raw files only

    code, out, _ = run(capsys, "info", "nb201")
    assert code == 0
    assert "15,625" in out and "dataset cifar10-valid" in out and "dataset ImageNet16-120" in out
    line = next(x for x in out.splitlines() if "dataset cifar100" in x)
    block = out[out.index(line):].splitlines()
    test_row = next(x.split() for x in block if x.split()[:1] == ["test_accuracy"])
    assert test_row[1:4] == ["%", "test", "200"] or test_row[1:3] == ["%", "test"]
    assert "max" in test_row
    assert "https://github.com/Badar-e-Alam/Neural-Architecture-Search" in out
    assert "8d3debbb738b60b1" in out  # sha256 prefix of the seed-mean source
    assert "dataset cifar10 (full budget: 200 epochs)" in out

    code, out, _ = run(capsys, "info", "nbmacro_zc")  # proxies: no epoch axis
    assert code == 0 and "dataset cifar10 (no training budgets)" in out and "- epochs" not in out


def test_list_shows_unbuilt_stores_without_building(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("NASBENCH_STORES", str(tmp_path))
    code, out, _ = run(capsys, "list")
    assert code == 0
    row = next(r.split() for r in out.splitlines() if r.split()[:1] == ["nb201"])
    from nasbench import recipes

    assert row[1] == "nb201" and row[2:5] == ["-", "-", "-"] and row[-1] == "no"
    assert row[5] == str(len(recipes.get("nb201").sources))
    assert list(tmp_path.iterdir()) == []


# -- frame ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("ext", [".csv", ".parquet"])
def test_frame_round_trips_exact_values(nb201, capsys, tmp_path, ext):
    out = tmp_path / f"c100{ext}"
    code, text, _ = run(capsys, "frame", "nb201", "--dataset", "cifar100", "--out", str(out),
                        "-m", "test_accuracy", "-m", "train_loss")
    assert code == 0 and str(out) in text
    if ext == ".csv":
        frame = pd.read_csv(out, index_col="arch")  # pandas >= 3 reads floats round-trip
    else:
        frame = pd.read_parquet(out)
    assert len(frame) == 15625 and list(frame.index[:2]) == nb201.archs[:2]
    np.testing.assert_array_equal(frame["test_accuracy"].to_numpy(), nb201.values("cifar100", "test_accuracy"))
    np.testing.assert_array_equal(frame["train_loss"].to_numpy(), nb201.values("cifar100", "train_loss"))
    assert frame.loc[ARCH_6111, "index"] == 6111
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temp file left


def test_frame_bad_extension(capsys, tmp_path):
    code, _, err = run(capsys, "frame", "nb201", "-d", "cifar10", "--out", str(tmp_path / "x.xlsx"))
    assert_one_line_error(code, err, "x.xlsx", ".csv", ".parquet")
    assert list(tmp_path.iterdir()) == []


# -- build ---------------------------------------------------------------------------------------
def test_build_into_a_fresh_store_folder(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("NASBENCH_STORES", str(tmp_path))
    code, out, _ = run(capsys, "build", "nb201")
    assert code == 0
    path = tmp_path / "nb201.h5"
    assert path.is_file()
    line = next(x for x in out.splitlines() if x.startswith("nb201: built"))
    assert str(path) in line and "MB" in line and line.rstrip().endswith(" s")
    with nasbench.Benchmark(path) as bench:
        assert bench.query(6111, "cifar10", "test_accuracy") == pytest.approx(94.37333, abs=1e-4)
    code, out, _ = run(capsys, "build", "nb201")
    assert code == 0 and "up to date" in out
    code, _, err = run(capsys, "build")
    assert_one_line_error(code, err, "--all")


# -- evaluate, convert ---------------------------------------------------------------------------
def test_evaluate_delegates_to_predictors_cli(monkeypatch, capsys):
    seen = []
    fake = types.ModuleType("predictors.cli")
    fake.main = lambda argv: seen.append(argv) or 3
    monkeypatch.setitem(sys.modules, "predictors.cli", fake)
    assert cli.main(["evaluate", "nb201", "--dataset", "cifar10"]) == 3
    assert seen == [["nb201", "--dataset", "cifar10"]]


def test_evaluate_without_predictors_cli(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "predictors.cli", None)  # import fails
    code, _, err = run(capsys, "evaluate", "--help")
    assert_one_line_error(code, err, "predictors.cli")


@pytest.mark.parametrize("command", sorted(cli.PREDICTOR_COMMANDS))
def test_predictor_commands_are_forwarded_or_a_one_line_error(monkeypatch, capsys, command):
    module, function, _ = cli.PREDICTOR_COMMANDS[command]
    seen = []
    fake = types.ModuleType(module)
    setattr(fake, function, lambda argv: seen.append(argv) or 0)
    monkeypatch.setitem(sys.modules, module, fake)
    assert cli.main([command, "nb201", "--x", "1"]) == 0 and seen == [["nb201", "--x", "1"]]
    monkeypatch.setitem(sys.modules, module, None)  # not installed / not written yet
    code, _, err = run(capsys, command, "--help")
    assert_one_line_error(code, err, module)


def test_a_predictor_command_whose_workers_keep_dying_exits_1_with_one_line(monkeypatch, capsys):
    from predictors.parallel import WorkerDied

    fake = types.ModuleType("predictors.zero_cost.cli")

    def main(argv):
        raise WorkerDied("a worker process died 3 times (4 of 9 tasks unfinished)")

    fake.main = main
    monkeypatch.setitem(sys.modules, "predictors.zero_cost.cli", fake)
    assert cli.main(["proxies", "nb101"]) == 1
    err = capsys.readouterr().err
    assert err == "nasbench proxies: error: a worker process died 3 times (4 of 9 tasks unfinished)\n"


def test_version_and_help_for_every_subcommand(capsys):
    with pytest.raises(SystemExit) as done:
        cli.build_parser().parse_args(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"nasbench {nasbench.__version__}"
    assert cli.main(["--help"]) == 0
    top = capsys.readouterr().out
    for command in ("list", "info", "query", "frame", "build", "convert", "sources", "verify",
                    *cli.PREDICTOR_COMMANDS):
        assert command in top
    for command in ("list", "info", "query", "frame", "build", "convert", "sources", "verify"):
        assert cli.main([command, "--help"]) == 0
        text = capsys.readouterr().out
        assert text.startswith(f"usage: nasbench {command}")
        description = text.split("\n\n")[1]
        assert len(description.split()) >= 6, (command, description)  # a sentence, not a stub


def test_convert_needs_an_h5_name_and_a_nats_dir(capsys, tmp_path):
    code, _, err = run(capsys, "convert", "nats", str(tmp_path), "--out", str(tmp_path / "x.csv"))
    assert_one_line_error(code, err, ".h5")
    code, _, err = run(capsys, "convert", "nats", str(tmp_path), "--out", str(tmp_path / "x.h5"))
    assert_one_line_error(code, err, "meta.pickle.pbz2")


# -- a real process ------------------------------------------------------------------------------
def test_python_m_nasbench_exit_codes(nb201):
    env = {**os.environ, "PYTHONPATH": ROOT}

    def sh(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "nasbench", *argv], capture_output=True,
                              text=True, env=env, cwd=ROOT, timeout=120)

    ok = sh("query", "nb201", "6111", "--dataset", "cifar10", "--metric", "test_accuracy")
    assert ok.returncode == 0 and "94.37333333" in ok.stdout
    bad = sh("query", "nb201", "6111", "--dataset", "cifar10", "--metric", "nope")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("nasbench: error: unknown metric")
    assert "Traceback" not in bad.stderr
    usage = sh("query", "nb201")  # argparse: usage + error, exit 2
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_usage_errors_return_2_in_process(capsys):
    assert cli.main(["query", "nb201"]) == 2  # no --dataset: argparse usage + error
    assert "--dataset" in capsys.readouterr().err
    assert cli.main(["--help"]) == 0
    assert "convert" in capsys.readouterr().out


def test_sources_manifest_is_current():
    """data/SOURCES.md is what `nasbench sources` prints today (regenerate it if this fails)."""
    from pathlib import Path

    committed = (Path(__file__).resolve().parent.parent / "data" / "SOURCES.md").read_text()
    assert committed == cli.sources_markdown(), "run: nasbench sources > data/SOURCES.md"
