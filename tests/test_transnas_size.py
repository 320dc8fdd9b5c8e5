"""TransNAS-Bench-101 params / FLOPs: the committed table (``data/transnas_size``) and the stores'
``params`` / ``flops`` / ``model_*`` columns equal a direct count of networks built with
``predictors.networks.transnas_macro``, and hand counts of simple networks.

No official numbers are compared: the benchmark's ``model_info`` (encoder_params, encoder_FLOPs,
...) is only in its ``.pth`` file, which is not available, and neither its README nor the paper
lists per-network values.
"""

from __future__ import annotations

import gzip

import numpy as np
import pytest

import nasbench
from nasbench.errors import SourceMissingError
from nasbench.recipes import _transnas101_size as size_part
from nasbench.recipes import transnas101_macro, transnas101_micro
from nasbench.recipes.transnas101_micro import TASKS

torch = pytest.importorskip("torch")
transnas_size = pytest.importorskip("predictors.networks.transnas_size")

#: archs counted directly: the empty cell (stem only), every op on every edge (FactorizedReduce
#: skips across width changes, zero edges), 4 and 6 module skeletons, one with 4 downsamplings
#: (224 -> 7 -> 4: an odd size halves by rounding up)
DIRECT = {
    "micro": ["64-41414-0_00_000", "64-41414-1_11_111", "64-41414-3_21_013"],
    "macro": ["64-1144-basic", "64-123412-basic", "64-3434-basic"],
}
#: hand counts (encoder params, encoder MACs at 224x224); see test_hand_counts
STEM_PARAMS = 3 * 32 * 9 + 2 * 32 + 32 * 64 * 9 + 2 * 64  # conv, BN, ReLUConvBN conv, BN
STEM_MACS = 112 * 112 * 32 * 3 * 9 + 56 * 56 * 64 * 32 * 9


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tnb101_size")
    out = {}
    for space, module in (("micro", transnas101_micro), ("macro", transnas101_macro)):
        out[space] = nasbench.Benchmark(module.RECIPE.build(folder / f"{space}.h5", progress=False))
    yield out
    for bench in out.values():
        bench.close()


@pytest.fixture(scope="module")
def direct():
    torch.set_num_threads(1)
    return {a: transnas_size.direct_sizes(a) for archs in DIRECT.values() for a in archs}


def test_hand_counts():
    torch.set_num_threads(1)
    empty = transnas_size.sizes("64-41414-0_00_000")  # every edge 'none': the stem only
    assert empty["encoder_params"] == STEM_PARAMS == 19_488
    assert empty["encoder_flops"] == STEM_MACS == 68_640_768
    # + Linear(512, 75) / Linear(512, 47): weights and biases; MACs of the weights only (thop)
    assert empty["model_params_class_object"] == 19_488 + 512 * 75 + 75
    assert empty["model_flops_class_scene"] == 68_640_768 + 512 * 47

    # one conv1x1 on edge 0->3 of each of the 10 cells (channels 64->128, 128 x3, 128->256,
    # 256 x3, 256->512, 512): weights c_in x c_out plus BN 2 x c_out
    one = transnas_size.sizes("64-41414-0_00_200")
    plan = [(64, 128), (128, 128), (128, 128), (128, 128), (128, 256), (256, 256),
            (256, 256), (256, 256), (256, 512), (512, 512)]
    assert one["encoder_params"] == STEM_PARAMS + sum(a * b + 2 * b for a, b in plan) == 704_544

    # macro 1144: two 64-wide modules at 56x56 (2 basic blocks of 2 convs 3x3 each), then two
    # modules that halve the size and double the width (first block: 3x3 stride 2, 3x3, 1x1
    # shortcut)
    macro = transnas_size.sizes("64-1144-basic")

    def conv(c_in, c_out, k):
        return c_in * c_out * k * k + 2 * c_out  # + its BN

    module1 = 2 * 2 * conv(64, 64, 3)
    module4 = [
        conv(c, 2 * c, 3) + conv(2 * c, 2 * c, 3) + conv(c, 2 * c, 1) + 2 * conv(2 * c, 2 * c, 3)
        for c in (64, 128)
    ]
    assert macro["encoder_params"] == STEM_PARAMS + 2 * module1 + sum(module4) == 2_940_704
    macs1 = 4 * 56 * 56 * 64 * 64 * 9  # per module: 2 blocks x 2 convs
    # output h x h x 2c; per output element: c*9 + 2c*9 (first block), c (shortcut), 2 x 2c*9
    macs4 = [h * h * 2 * c * (c * 9 + 2 * c * 9 + c + 2 * 2 * c * 9)
             for c, h in ((64, 28), (128, 14))]
    assert macro["encoder_flops"] == STEM_MACS + 2 * macs1 + sum(macs4) == 1_815_568_384


def test_fast_count_equals_direct_count(direct):
    for arch, counts in direct.items():
        assert transnas_size.sizes(arch) == counts, arch


def test_store_equals_direct_count(stores, direct):
    for space, archs in DIRECT.items():
        bench = stores[space]
        for arch in archs:
            counts = direct[arch]
            for task in TASKS:
                expected = counts["encoder_params"] / 1e6
                assert bench.query(arch, task, "params") == pytest.approx(expected, rel=1e-12)
                field = "encoder_flops_jigsaw" if task == "jigsaw" else "encoder_flops"
                expected = counts[field] / 1e6
                assert bench.query(arch, task, "flops") == pytest.approx(expected, rel=1e-12)
            for task in size_part.HEAD_TASKS:
                assert bench.query(arch, task, "model_params") == pytest.approx(
                    counts[f"model_params_{task}"] / 1e6, rel=1e-12)
                assert bench.query(arch, task, "model_flops") == pytest.approx(
                    counts[f"model_flops_{task}"] / 1e6, rel=1e-12)


def test_store_columns_complete_and_consistent(stores):
    for space, bench in stores.items():
        n = 4096 if space == "micro" else 3256
        params = bench.values("class_object", "params")
        assert params.shape == (n,) and np.isfinite(params).all() and (params > 0).all()
        for task in TASKS:
            np.testing.assert_array_equal(bench.values(task, "params"), params)  # one backbone
            if task not in size_part.HEAD_TASKS:  # decoders not built: no model_* columns
                assert "model_params" not in bench.metrics(task)
        # a 224x224 image has 12.25x the pixels of a 64x64 tile at every size down to 7x7 vs
        # 2x2; a fourth halving gives 4x4 (rounded up) vs 1x1, 16x
        ratio = bench.values("class_object", "flops") / bench.values("jigsaw", "flops")
        assert ratio.min() >= 12.25 - 1e-9 and ratio.max() < 16
        assert (ratio > 12.25 + 1e-6).any() == (space == "macro")  # micro halves 3 times only
        # the head: Linear(C_last, 75); C_last = 64 doubled 1..3 times (micro: 3 times)
        head = np.round((bench.values("class_object", "model_params") - params) * 1e6)
        widths = (512,) if space == "micro" else (128, 256, 512)
        assert set(head.tolist()) == {75 * (c + 1) for c in widths}


def test_ranges_and_known_extremes(stores):
    micro, macro = stores["micro"], stores["macro"]
    # the smallest micro network is the stem alone (every src-0 edge 'none'); the largest has
    # conv3x3 on every edge
    params = micro.values("class_scene", "params")
    assert params.min() == pytest.approx(STEM_PARAMS / 1e6, rel=1e-12)
    assert micro.query("64-41414-0_00_000", "class_scene", "params") == params.min()
    assert micro.archs[int(np.argmax(params))] == "64-41414-3_33_333"
    assert micro.query("64-41414-3_33_333", "normal", "params") == pytest.approx(41.411616)
    # macro: fewest params = one widening, in the last module, of a 4-module skeleton; most =
    # three widenings first (512 channels from the third module on) in 6 modules
    params = macro.values("class_object", "params")
    assert macro.archs[int(np.argmin(params))] == "64-1114-basic"
    assert macro.archs[int(np.argmax(params))] == "64-222333-basic"


def test_table_is_deterministic(tmp_path):
    torch.set_num_threads(1)
    rows = [{"arch": a, **transnas_size.sizes(a)} for a in DIRECT["macro"]]
    transnas_size.write_csv_gz(rows, tmp_path / "a.csv.gz")
    transnas_size.write_csv_gz(rows, tmp_path / "b.csv.gz")
    assert (tmp_path / "a.csv.gz").read_bytes() == (tmp_path / "b.csv.gz").read_bytes()
    committed = gzip.decompress(size_part.path_of("macro").read_bytes()).decode().splitlines()
    mine = gzip.decompress((tmp_path / "a.csv.gz").read_bytes()).decode().splitlines()
    assert committed[0] == mine[0]
    assert set(mine[1:]) <= set(committed[1:])


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match="micro"):
        size_part.path_of("nano")
    with pytest.raises(SourceMissingError, match="predictors.networks.transnas_size"):
        size_part.columns(["64-1144-basic"], "macro", folder=tmp_path)
    with pytest.raises(ValueError):
        transnas_size.sizes("64-41414-4_00_000")
    with pytest.raises(KeyError, match="micro"):
        transnas_size.table("nano")


def test_ranks_as_naslib_published_params(stores):
    """NAS-Bench-Suite-Zero published params / flops of 192 micro cells as NASLib builds them for
    svhn (``naslib_zc_tasks``): a narrower network than the benchmark's (about a quarter of the
    parameters), so the values differ, but the order of the cells is the same."""
    from scipy.stats import spearmanr

    bench = stores["micro"]
    ours = bench.values("class_object", "params")
    theirs = bench.values("svhn", "params")
    known = np.isfinite(theirs)
    assert known.sum() == 192
    assert spearmanr(ours[known], theirs[known])[0] > 0.9999
    flops = bench.values("class_object", "flops")
    assert spearmanr(flops[known], bench.values("svhn", "flops")[known])[0] > 0.998
