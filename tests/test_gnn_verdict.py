"""The GNN verdict (``benchmarks/gnn_verdict.py``) is read from the committed result sections."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


@pytest.fixture(scope="module")
def gv():
    spec = importlib.util.spec_from_file_location("gnn_verdict", ROOT / "benchmarks" / "gnn_verdict.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def test_a_leaderboard_cell_is_the_number_in_the_section(gv):
    # gnn.md, 10-seed section: "| gnn | ... | **0.890 [0.884, 0.896]** | ..." at n=781
    assert gv.read(gv.Reading("gnn.md", gv.TEN_SEEDS, "gnn", 781)) == (0.890, 0.884, 0.896)
    assert gv.read(gv.Reading("gnn.md", gv.TEN_SEEDS, "xgb-plus", 78)) == (0.650, 0.637, 0.663)


def test_a_paired_difference_flips_sign_when_read_the_other_way(gv):
    ahead = gv.read(gv.Reading("gnn_both.md", gv.BOTH_SZ, "gnn-both-zcpre", 100, other="xgb-both-plus"))
    behind = gv.read(gv.Reading("gnn_both.md", gv.BOTH_SZ, "xgb-both-plus", 100, other="gnn-both-zcpre"))
    assert ahead == (0.034, 0.028, 0.038)
    assert behind == (-0.034, -0.038, -0.028)


def test_judge_reads_the_interval(gv):
    assert gv.judge(0.813, 0.802, 0.80) == "yes"
    assert gv.judge(0.803, 0.790, 0.80) == "on the mean only"
    assert gv.judge(0.709, 0.680, 0.80) == "no"


def test_missing_section_or_predictor_names_what_was_looked_for(gv, tmp_path):
    with pytest.raises(SystemExit, match="no such section"):
        gv.read(gv.Reading("gnn.md", "not a section", "gnn", 78))
    with pytest.raises(SystemExit, match="no row for gnn-nope"):
        gv.read(gv.Reading("gnn.md", gv.TEN_SEEDS, "gnn-nope", 78))
    with pytest.raises(SystemExit, match="no column n=77"):
        gv.read(gv.Reading("gnn.md", gv.TEN_SEEDS, "gnn", 77))
    with pytest.raises(SystemExit, match="no such results file"):
        gv.read(gv.Reading("gnn.md", gv.TEN_SEEDS, "gnn", 78), folder=tmp_path)


def test_committed_gnn_md_opens_with_the_current_verdict(gv):
    """The committed head is what the script writes from the committed sections (rerun
    ``benchmarks/gnn_verdict.py`` after a section changes)."""
    assert (RESULTS / "gnn.md").read_text().startswith(gv.verdict())
