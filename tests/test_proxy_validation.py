"""The proxy validation report's reading of a shortfall (``benchmarks/proxy_validation.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pv():
    spec = importlib.util.spec_from_file_location(
        "proxy_validation", ROOT / "benchmarks" / "proxy_validation.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_shortfall_within_our_own_seed_agreement_is_randomness(pv):
    line = pv.shortfall("grasp", 0.693, 0.72, 0.55, 0.85, "batch 64")
    assert line.startswith("- **grasp**: 0.6930 with Suite-Zero; 0.720 [0.550, 0.850]")
    assert "randomness (init and batch) explains it" in line and "convention" not in line


def test_shortfall_below_our_own_seed_agreement_is_a_convention(pv):
    # seeds agree at 0.99 [0.98, 1.00]: a 0.941 agreement with Suite-Zero is not noise
    line = pv.shortfall("l2_norm", 0.941, 0.99, 0.98, 1.0, "sum of ||W||")
    assert "difference of convention or code. Ours: sum of ||W||." in line
    # the boundary: agreement equal to the interval's low end counts as within it
    assert "explains it" in pv.shortfall("x", 0.98, 0.99, 0.98, 1.0, "c")
    # just under the target prints as such
    assert pv.shortfall("jacov", 0.94974, 0.9, 0.8, 1.0, "c").startswith("- **jacov**: 0.9497 with")


def test_shortfall_only_on_fanned_out_cells_is_the_fan_out(pv):
    # 0.913 over every cell, 0.998 over the 6,461 scored themselves, seeds 0.998 [0.990, 1.000]
    line = pv.shortfall("zen", 0.913, 0.998, 0.990, 1.0, "N(0,1)", (0.998, 6461))
    assert "On the 6461 cells we scored themselves the agreement is 0.9980" in line
    assert "the gap comes from the fan-out" in line and "convention" not in line
    # own agreement below the seeds' interval too: a convention, as without a fan-out
    assert "difference of convention" in pv.shortfall("x", 0.9, 0.99, 0.98, 1.0, "c", (0.95, 10))


def test_sign_summary_counts_intervals_from_the_table(pv):
    line = pv._sign_summary({"params": (0.169, 0.036, 0.306), "synflow": (-0.430, -0.557, -0.289),
                             "zen": (-0.022, -0.166, 0.120), "gradsign": (float("nan"),) * 3}, "acc")
    assert line == ("Of 3 metrics with values, 1 rank with acc with an interval above 0 (params), "
                    "1 against it with an interval below 0 (synflow), and 1 has 0 inside the "
                    "interval; the largest in size is synflow, -0.430.")
    assert pv._sign_summary({"gradsign": (float("nan"),) * 3}, "acc") == "No metric has a value yet."


def test_committed_cora_report_reads_the_store():
    """The Cora report's synflow row is the Spearman of the committed proxies with the published
    Cora test accuracy over every scored arch."""
    from scipy.stats import spearmanr

    import nasbench

    text = (ROOT / "benchmarks" / "results" / "proxy_validation_nbgraph_cora.md").read_text()
    # nbgraph holds no Suite-Zero scores: no empty Suite-Zero columns
    assert "| metric | archs | rho(acc) | 95 % interval |\n" in text
    row = next(line for line in text.splitlines() if line.startswith("| synflow |"))
    n, rho = int(row.split("|")[2]), float(row.split("|")[3])
    zc, nb = nasbench.load("nbgraph_zc"), nasbench.load("nbgraph")
    v = zc.values("cora", "zc/synflow")
    ok = [i for i, x in enumerate(v) if x == x]
    assert len(ok) == n, (f"the report counts {n} scored archs, the store {len(ok)}: rerun the "
                          "command at the top of the report")
    assert len(ok) == len(zc.archs) and f"All {n} archs scored;" in text  # the table is complete
    acc = nb.query([zc.archs[i] for i in ok], "cora", "test_accuracy")
    assert spearmanr([v[i] for i in ok], acc)[0] == pytest.approx(rho, abs=5e-4)


def test_init_check_recomputes_on_suite_zeros_network(pv):
    """l2_norm on 6 Suite-Zero cells: the table's values (TensorFlow init) are ~0.65 of Suite-Zero's,
    zero-cost-nas's init gives Suite-Zero's own numbers (ratio 1 within 1 %)."""
    import numpy as np

    import nasbench

    zc, nb = nasbench.load("nb101_zc"), nasbench.load("nb101")
    archs = list(zc.archs)[:6]
    table = {"l2_norm": np.asarray(zc.values("cifar10", "zc/l2_norm")[:6], dtype=float)}
    theirs = {"l2_norm": np.asarray(nb.query(archs, "cifar10", "zc/l2_norm"), dtype=float)}
    lines = pv._init_check("nb101", "cifar10", archs, table, theirs)
    assert lines[0] == "## Suite-Zero's network: `init='zero-cost-nas'` (6 archs)"
    row = next(line for line in lines if line.startswith("| l2_norm |")).split("|")
    assert float(row[5]) < 0.8 and float(row[6]) == pytest.approx(1.0, abs=0.01)
    assert lines[-1].startswith("On these 6 archs ")


def test_fanned_out_store_compares_with_suite_zero_on_the_cells_scored_themselves(pv, tmp_path,
                                                                                   monkeypatch):
    """TransNAS micro fans each isomorphism class out from its representative: the report adds
    Suite-Zero's agreement over the representatives alone (synflow: the same function of the
    same network, so ~1), and its intervals resample classes, not cells."""
    import numpy as np
    from scipy.stats import spearmanr

    import nasbench

    assert pv._fans_out("transnas101_micro_zc") and not pv._fans_out("nb301_zc")
    monkeypatch.setattr(pv, "BOOT", 20)
    out = tmp_path / "report.md"
    assert pv.validate_store("transnas101_micro_zc", "transnas101_micro", "class_object",
                             "valid_accuracy", "TNB-Micro-OBJECT", str(out), "cmd") == 0
    text = out.read_text()
    assert "and over the isomorphism classes for the other metrics" in text
    assert "| rho(SZ) own | archs own |" in text
    row = next(line for line in text.splitlines() if line.startswith("| synflow |")).split("|")
    zc, nb = nasbench.load("transnas101_micro_zc"), nasbench.load("transnas101_micro")
    archs = list(zc.archs)
    ours = np.asarray(zc.values("class_object", "zc/synflow"), dtype=float)
    own = [i for i, a in enumerate(archs) if zc.space.canonical(a) == a and np.isfinite(ours[i])]
    theirs = nb.query([archs[i] for i in own], "class_object", "zc/synflow")
    assert int(row[9]) == len(own) > 50
    assert float(row[8]) == pytest.approx(spearmanr(ours[own], theirs)[0], abs=5e-4)
    assert float(row[8]) > 0.99
    # a cell counts as scored once its own per-cell proxies are in, not by its class's copy
    reached = int(np.isfinite(np.asarray(zc.values("class_object", "zc/params"), float)).sum())
    assert (f"All {reached} archs scored;" if reached == len(archs) else
            f"{reached} of {len(archs)} archs scored so far;") in text


def test_per_arch_metrics_resample_archs_and_copied_ones_classes(pv, tmp_path, monkeypatch):
    """NAS-Bench-Macro fans classes out: params is computed for every arch, so its interval is
    the plain bootstrap over archs; synflow is copied from each class's representative, so its
    interval resamples classes."""
    import numpy as np

    import nasbench
    from nasbench.recipes._zc import representatives
    from predictors.reproduce.stats import bootstrap_corr

    monkeypatch.setattr(pv, "BOOT", 20)
    out = tmp_path / "report.md"
    assert pv.validate_store("nbmacro_zc", "nbmacro", "cifar10", "test_accuracy", None, str(out),
                             "cmd") == 0
    rows = {line.split("|")[1].strip(): line.split("|")[4].strip()
            for line in out.read_text().splitlines() if line.startswith("| ")}
    zc, nb = nasbench.load("nbmacro_zc"), nasbench.load("nbmacro")
    archs = list(zc.archs)
    acc = np.asarray(nb.query(archs, "cifar10", "test_accuracy"), dtype=float)
    rep = representatives(zc.space, archs)
    assert len(set(rep)) < len(archs)  # classes with more than one arch
    for metric, groups in (("params", None), ("synflow", rep)):
        v = np.asarray(zc.values("cifar10", f"zc/{metric}"), dtype=float)
        ok = np.isfinite(v)
        lo, hi = bootstrap_corr(v[ok], acc[ok], 20, groups=None if groups is None else groups[ok])
        assert rows[metric] == f"[{lo:.3f}, {hi:.3f}]"


def test_committed_transnas_report_reads_the_store():
    """The TransNAS micro report counts the cells the committed table scores (rerun its command
    whenever rows are committed)."""
    import numpy as np

    import nasbench

    text = (ROOT / "benchmarks" / "results"
            / "proxy_validation_transnas_micro_class_object.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| synflow |"))
    zc = nasbench.load("transnas101_micro_zc")
    scored = int(np.isfinite(np.asarray(zc.values("class_object", "zc/synflow"), float)).sum())
    assert int(row.split("|")[2]) == scored, (
        "the report and the committed table disagree: rerun the command at the top of the report")
