"""Stores built from the project's own computed results (proxy runs, banks) are rebuilt by
`nasbench build` when results are added, and kept while they are unchanged."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

import nasbench
from nasbench import recipes
from nasbench.recipes.base import folder_digest


def test_folder_digest_follows_content(tmp_path):
    empty = folder_digest(tmp_path / "absent")
    (tmp_path / "a.csv").write_text("1\n")
    first = folder_digest(tmp_path)
    assert first != empty
    (tmp_path / "a.csv").write_text("2\n")
    assert folder_digest(tmp_path) != first
    (tmp_path / "a.csv").write_text("1\n")
    assert folder_digest(tmp_path) == first


@pytest.fixture
def results(tmp_path, monkeypatch):
    """A copy of nb201_zc's committed results that the recipe reads, stores in a tmp folder."""
    recipe = recipes.get("nb201_zc")
    folder = tmp_path / "results"
    shutil.copytree(recipe.results_dir, folder)
    copy = dataclasses.replace(recipe, results_dir=folder)
    monkeypatch.setattr(recipes, "get", lambda name: copy)
    monkeypatch.setenv("NASBENCH_STORES", str(tmp_path / "stores"))
    return folder


def test_build_rebuilds_when_results_are_added(results):

    nasbench.build("nb201_zc", progress=False)
    assert nasbench.rebuild_reason("nb201_zc") == ""
    provenance = nasbench.load(nasbench.store_path("nb201_zc")).sources
    built_from = next(s for s in provenance if s.get("part") == "results")
    assert {"part": "results", "sha256": folder_digest(results)}.items() <= built_from.items()

    (results / "chunk-99999.csv.gz").write_bytes(b"")  # a new chunk, as a resumed run adds
    assert nasbench.rebuild_reason("nb201_zc") == "its computed results changed"


@pytest.mark.parametrize("build_missing", [True, False])
def test_load_rebuilds_a_store_whose_results_changed(results, build_missing):
    nasbench.build("nb201_zc", progress=False)

    manifest = results / "manifest.json"
    manifest.write_text(manifest.read_text() + "\n")  # the results changed after the build
    # by name: rebuilt before it is opened, also for a reader that builds no missing store
    # (the reproduction studies), which once got the older table
    with nasbench.load("nb201_zc", build_missing=build_missing) as bench:
        got = [s for s in bench.sources if s.get("part") == "results"][0]["sha256"]
    assert got == folder_digest(results)
    assert nasbench.rebuild_reason("nb201_zc") == ""


def test_load_rebuilds_a_computed_store_built_by_other_code(results, monkeypatch):
    from nasbench.recipes import base

    nasbench.build("nb201_zc", progress=False)
    today = {**base.code_provenance(), "sha256": "0" * 64}  # as if the fan-out were edited
    monkeypatch.setattr(base, "code_provenance", lambda: today)
    assert nasbench.rebuild_reason("nb201_zc") == "the code that builds it changed"
    with nasbench.load("nb201_zc", build_missing=False) as bench:  # cheap: rebuilt, no warning
        assert [s["sha256"] for s in bench.sources if s.get("part") == "code"] == ["0" * 64]
    assert nasbench.rebuild_reason("nb201_zc") == ""


def test_every_committed_result_file_is_under_2_mb():
    """The project's computed results are committed as files of a few MB at most (git diffs and
    clones them well): a growing table or bank must be split, as bank results are past 200
    records (``results-1.jsonl.gz``, ...) and proxy tables are by chunk."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    try:
        listed = subprocess.run(["git", "ls-files", "data"], cwd=root, capture_output=True,
                                text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    assert len(listed) > 100  # the proxy chunks and banks are there
    big = {p: (root / p).stat().st_size for p in listed if (root / p).stat().st_size > 2_000_000}
    assert big == {}
