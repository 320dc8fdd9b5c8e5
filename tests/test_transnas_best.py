"""TransNAS-Bench-101 "best"-mode metrics: the derived official file_id order and the stored
columns, checked against the raw files and the two checks of their PROVENANCE."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

import nasbench
from nasbench.recipes import _transnas101_best as best
from nasbench.recipes import transnas101_macro, transnas101_micro
from nasbench.recipes.transnas101_micro import TASKS
from nasbench.spaces.transnas_macro import SPACE as MACRO
from nasbench.spaces.transnas_micro import SPACE as MICRO

RAW = "transnas101/nasgraph-best-mode"


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tnb101")
    out = {}
    for space, module in (("micro", transnas101_micro), ("macro", transnas101_macro)):
        out[space] = nasbench.Benchmark(module.RECIPE.build(folder / f"{space}.h5", progress=False))
    yield out
    for bench in out.values():
        bench.close()


@pytest.fixture(scope="module")
def frames(data_root):
    return {task: pd.read_csv(data_root / RAW / f"transbench101_{task}.csv") for task in TASKS}


def test_pins_are_the_provenance_digests(data_root):
    text = (data_root / RAW / "PROVENANCE.md").read_text()
    for source in best.SOURCES:
        assert source.sha256 in text
        assert hashlib.sha256((data_root / source.path).read_bytes()).hexdigest() == source.sha256


def test_official_order():
    order = best.official_order()
    assert len(order) == len(set(order)) == 7352
    assert order[1] == "64-2311-basic"  # the official README: api.index2arch(1)
    assert set(order[:3256]) == set(MACRO.enumerate())
    assert order[3256:] == sorted(MICRO.enumerate())  # base-4 counting = sorted strings
    assert order[3256] == "64-41414-0_00_000" and order[-1] == "64-41414-3_33_333"


def test_best_valid_is_never_below_the_final_valid(stores):
    """Under the derived order every 'best' validation metric is >= the final-epoch one."""
    equal = {}
    for space, bench in stores.items():
        for task, (_, metric, *_) in TASKS.items():
            final = bench.values(task, metric)
            top = bench.values(task, f"{metric}_best")
            assert np.isfinite(top).all() and not (top < final).any(), (space, task)
            equal[task] = equal.get(task, 0) + int(np.isclose(top, final, rtol=0, atol=1e-9).sum())
    # the PROVENANCE's share of archs whose best epoch is the last, over all 7,352
    share = {task: round(100 * n / 7352) for task, n in equal.items()}
    assert share == {"class_object": 28, "class_scene": 70, "jigsaw": 95, "room_layout": 5,
                     "segmentsemantic": 8, "normal": 36, "autoencoder": 19}


def test_values_are_the_raw_rows_by_file_id(stores, frames):
    order = best.official_order()
    rng = np.random.default_rng(0)
    for task, frame in frames.items():
        for file_id in rng.choice(7352, 50, replace=False):
            arch = order[file_id]
            bench = stores["macro" if file_id < 3256 else "micro"]
            row = frame.iloc[file_id]
            assert bench.query(arch, task, "train_time") == row["time_elapsed"]
            for column in frame.columns.drop(["file_id", "time_elapsed"]):
                split, _, name = column.partition("_")
                metric, _, higher = best.METRICS[name]
                stored = f"{split}_{metric}_{'best' if higher else 'worst'}"
                assert bench.query(arch, task, stored) == row[column], (task, column)


def test_names_and_descriptions_say_max_over_epochs(stores):
    bench = stores["micro"]
    assert {"test_accuracy_best", "test_top5_accuracy_best", "test_loss_worst", "valid_accuracy",
            "valid_accuracy_best", "train_time"} <= set(bench.metrics("class_scene"))
    assert {"test_ssim_best", "test_l1_loss_worst"} <= set(bench.metrics("autoencoder"))
    assert {"test_miou_best", "test_pixel_accuracy_best"} <= set(bench.metrics("segmentsemantic"))
    assert "test_neg_loss_best" in bench.metrics("room_layout")
    for metric, direction in (("test_accuracy_best", "max"), ("test_loss_worst", "min")):
        d = bench.describe("class_object", metric)
        assert "maximum over epochs (losses: worst epoch)" in d.description
        assert d.direction == direction and d.default_budget == 25 and d.split == "test"
    # the index-1 arch of the official README is file_id 1 of every file
    macro = stores["macro"]
    frame = pd.read_csv(nasbench.data_root() / RAW / "transbench101_class_scene.csv")
    assert macro.query("64-2311-basic", "class_scene", "test_accuracy_best") == frame["test_top1"][1]
    assert macro.query("64-2311-basic", "class_scene", "valid_accuracy_best") == frame["valid_top1"][1]
