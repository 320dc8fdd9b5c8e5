"""The torch networks of the non-NB201 spaces (``predictors.networks``) against the published data.

Parameter counts are compared exactly with the stores' ``params`` (millions, so ``round(x * 1e6)``)
on seeded samples; ``benchmarks/network_params.py`` checks every architecture. Networks for counting
are built on the ``meta`` device (no memory, no init), forward passes on real inputs where the
repository has them (Cora / CiteSeer) and on random images otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

import nasbench  # noqa: E402
from predictors import networks  # noqa: E402

torch.set_num_threads(1)


def n_params(space: str, arch, dataset: str, **kwargs) -> int:
    with torch.device("meta"):
        net = networks.build(space, arch, dataset, **kwargs)
    return sum(p.numel() for p in net.parameters())


def published(bench, archs, dataset: str, metric: str = "params") -> np.ndarray:
    return np.rint(bench.query(list(archs), dataset, metric) * 1e6).astype(np.int64)


def sample_rows(mask: np.ndarray, n: int, seed: int) -> np.ndarray:
    rows = np.flatnonzero(mask)
    return np.sort(np.random.default_rng(seed).choice(rows, size=min(n, rows.size), replace=False))


# -- NAS-Bench-101 -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nb101():
    bench = nasbench.load("nb101")
    yield bench
    bench.close()


def test_nb101_params_equal_published_trainable_parameters(nb101):
    # the 20,001-row partial table is the rows with a published train time (and params)
    has = np.isfinite(nb101.query(list(nb101.archs), "cifar10", "train_time"))
    assert has.sum() == 20_001
    archs = [nb101.archs[r] for r in sample_rows(has, 100, seed=0)]
    ours = [n_params("nb101", a, "cifar10") for a in archs]
    assert ours == published(nb101, archs, "cifar10").tolist()


def test_nb101_first_published_cell(nb101):
    # PROVENANCE of nasbench-vis-partial: hash 00005c14... has 8,555,530 trainable parameters
    arch = nb101.space.from_hash("00005c142e6f48ac74fdcf73e3439874")
    assert n_params("nb101", arch, "cifar10") == 8_555_530


def test_nb101_forward_shape_and_uneven_channel_split():
    # 3 vertices feed the output: 128 channels split 43/43/42, the wider ones truncated downstream
    arch = "ops:input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,output|adj:01111,00101,00011,00001,00000"
    net = networks.build("nb101", arch, "cifar10")
    assert net.layers[1].channels == [128, 43, 43, 42, 128]
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    assert networks.build("nb101", arch, "mnist")(torch.randn(1, 1, 28, 28)).shape == (1, 10)


def test_nb101_starts_from_tensorflow_initialisers():
    torch.manual_seed(0)
    net = networks.build("nb101", "ops:input,conv3x3-bn-relu,output|adj:011,001,000", "cifar10")
    w = net.layers[1].ops["1"][0].weight  # 3x3 conv, fan-in 128 * 9
    std = (1 / (128 * 9)) ** 0.5
    assert abs(w.std().item() / std - 1) < 0.02  # variance scaling: unit variance per fan-in
    assert w.abs().max().item() <= 2 * std / 0.87962566103423978 + 1e-6  # truncated at 2 sigma
    assert torch.count_nonzero(net.classifier.bias) == 0


def l2_norm(net) -> float:
    layers = (torch.nn.Conv2d, torch.nn.Linear)
    return sum(m.weight.norm().item() for m in net.modules() if isinstance(m, layers))


def test_nb101_zero_cost_nas_init_gives_suite_zero_l2_norm(nb101):
    # l2_norm depends on the initial weights alone: Suite-Zero's values are those of zero-cost-nas's
    # initialisers (He fan-out convs, N(0, 0.01) dense), not of the benchmark's TensorFlow ones
    sz = nb101.query(list(nb101.archs), "cifar10", "zc/l2_norm")
    rows = sample_rows(np.isfinite(sz), 5, seed=0)
    for r in rows:
        torch.manual_seed(0)
        ours = l2_norm(networks.build("nb101", nb101.archs[r], "cifar10", init="zero-cost-nas"))
        tf = l2_norm(networks.build("nb101", nb101.archs[r], "cifar10"))
        assert ours == pytest.approx(sz[r], rel=0.01)
        assert tf / sz[r] < 0.8


# -- NAS-Bench-Macro -----------------------------------------------------------------------------


def test_nbmacro_params_and_flops_equal_published():
    from predictors.networks.nbmacro import flops

    bench = nasbench.load("nbmacro")
    rows = sample_rows(np.ones(len(bench), bool), 100, seed=1)
    archs = [bench.archs[r] for r in rows] + ["00000000", "22222222"]
    counts, fl = [], []
    for a in archs:
        with torch.device("meta"):
            net = networks.build("nbmacro", a, "cifar10")
        counts.append(sum(p.numel() for p in net.parameters()))
        fl.append(flops(net))
    assert counts == published(bench, archs, "cifar10").tolist()
    assert fl == published(bench, archs, "cifar10", "flops").tolist()
    assert counts[-2] == 387_882  # all identities: stem, three 1x1 downsamples, head


def test_nbmacro_forward_shape():
    net = networks.build("nbmacro", "12021102", "cifar10")
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)


# -- NATS-Bench size space -----------------------------------------------------------------------


def test_nats_sss_params_equal_official_records():
    bench = nasbench.load("nats_sss")
    # the three archs with official records (0, 11, 284), published params per dataset
    expected = {
        ("8:8:8:8:8", "cifar10"): 11_714, ("8:8:8:8:8", "cifar100"): 12_524,
        ("8:8:8:8:8", "ImageNet16-120"): 12_704, ("8:8:8:16:32", "cifar10"): 49_202,
        ("8:8:8:16:32", "cifar100"): 52_172, ("8:8:8:16:32", "ImageNet16-120"): 52_832,
        ("8:8:40:32:40", "cifar10"): 144_834, ("8:8:40:32:40", "cifar100"): 148_524,
        ("8:8:40:32:40", "ImageNet16-120"): 149_344,
    }
    for (arch, dataset), value in expected.items():
        assert n_params("nats_sss", arch, dataset) == value, (arch, dataset)
        assert published(bench, [arch], dataset)[0] == value
    # and the store's count from the channel plan for a seeded sample
    rows = sample_rows(np.ones(len(bench), bool), 60, seed=2)
    archs = [bench.archs[r] for r in rows]
    assert [n_params("nats_sss", a, "cifar100") for a in archs] == published(bench, archs, "cifar100").tolist()


def test_nats_sss_forward_shape():
    net = networks.build("nats_sss", "8:16:24:32:64", "ImageNet16-120")
    assert net(torch.randn(2, 3, 16, 16)).shape == (2, 120)


# -- DARTS / NB301 -------------------------------------------------------------------------------


def test_darts_params_equal_naslib_with_non_affine_op_bns():
    bench = nasbench.load("nb301")
    has = np.isfinite(bench.query(list(bench.archs), "cifar10", "params"))
    archs = [bench.archs[r] for r in sample_rows(has, 25, seed=3)]
    assert [n_params("nb301", a, "cifar10", affine=False) for a in archs] == published(
        bench, archs, "cifar10"
    ).tolist()
    # the trained network (affine BNs in the ops) is larger by exactly those BNs' scale and shift
    a = archs[0]
    with torch.device("meta"):
        net = networks.build("darts", a, "cifar10")
    op_bn = sum(
        2 * m.num_features for name, m in net.named_modules()
        if isinstance(m, torch.nn.BatchNorm2d) and ".ops." in name
    )
    assert n_params("darts", a, "cifar10") - n_params("darts", a, "cifar10", affine=False) == op_bn > 0


@pytest.mark.parametrize(("dataset", "shape"), [("svhn", (3, 32, 32)), ("ninapro", (1, 16, 52))])
def test_darts_nas_bench_360_tasks_equal_naslib(dataset, shape):
    bench = nasbench.load("nb301")
    has = np.isfinite(bench.query(list(bench.archs), dataset, "params"))
    archs = [bench.archs[r] for r in sample_rows(has, 5, seed=5)]
    assert [n_params("darts", a, dataset, affine=False) for a in archs] == published(
        bench, archs, dataset
    ).tolist()
    net = networks.build("darts", archs[0], dataset, C=8).eval()
    assert net(torch.randn(2, *shape)).shape == (2, networks.dataset_info(dataset)[0])


def test_darts_forward_shape_and_auxiliary():
    bench = nasbench.load("nb301")
    g = bench.archs[0]
    net = networks.build("darts", g, "cifar10", C=8, layers=5, auxiliary=True)
    net.train()
    logits, aux = net(torch.randn(2, 3, 32, 32))
    assert logits.shape == aux.shape == (2, 10)
    net.eval()
    assert networks.build("darts", g, "cifar100", C=8, layers=5).eval()(torch.randn(2, 3, 32, 32)).shape == (2, 100)


# -- TransNAS-Bench-101 --------------------------------------------------------------------------


def test_transnas_macro_basic_params_by_hand():
    # 64-41414-basic: a ResNet of basic blocks; count it independently of the module code
    def block(c_in, c_out, down):
        n = 9 * c_in * c_out + 2 * c_out + 9 * c_out * c_out + 2 * c_out
        return n + (c_in * c_out + 2 * c_out if down else 0)

    total = 27 * 32 + 64 + 9 * 32 * 64 + 128  # stem
    c = 64
    for digit in (4, 1, 4, 1, 4):
        c_out = 2 * c if digit % 2 == 0 else c
        total += block(c, c_out, digit != 1) + block(c_out, c_out, False)
        c = c_out
    total += c * 75 + 75  # class_object: the benchmark's 75 classes
    assert n_params("transnas_macro", "64-41414-basic", "class_object") == total


def test_transnas_forward_shapes_and_micro_backbone():
    net = networks.build("transnas_macro", "64-1234-basic", "class_scene")
    assert net(torch.randn(2, 3, 64, 64)).shape == (2, 47)
    micro = networks.build("transnas_micro", "64-41414-1_02_333", "class_object")
    assert type(micro).__name__ == "TransNASNetwork" and micro.skeleton == "41414"
    assert micro(torch.randn(2, 3, 32, 32)).shape == (2, 75)
    # all-zero cell: the output does not depend on the input
    dead = networks.build("transnas_micro", "64-41414-0_00_000", "cifar10").eval()
    x = torch.randn(2, 3, 32, 32)
    assert torch.equal(dead(x), dead(torch.zeros_like(x)))


# -- NAS-Bench-Graph -----------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", ["cora", "citeseer", "pubmed", "computers"])
def test_nbgraph_params_equal_published(dataset):
    bench = nasbench.load("nbgraph")
    rows = sample_rows(np.ones(len(bench), bool), 40, seed=4)
    archs = [bench.archs[r] for r in rows]
    assert [n_params("nbgraph", a, dataset) for a in archs] == published(bench, archs, dataset).tolist()


@pytest.mark.parametrize(("dataset", "nodes", "classes"), [("cora", 2708, 7), ("citeseer", 3327, 6)])
def test_nbgraph_forward_on_real_graph(dataset, nodes, classes):
    from predictors.networks import graph_data

    data = graph_data.load(dataset)
    assert data.x.shape[0] == nodes and int(data.y.max()) + 1 == classes
    assert int(data.train_mask.sum()) == 20 * classes and int(data.test_mask.sum()) == 1000
    net = networks.build("nbgraph", "0-1-1-2|gcn,gin,cheb,arma", dataset).eval()
    assert net(data).shape == (nodes, classes)
    assert torch.equal(net(data), net(data.x, data.edge_index))


@pytest.mark.parametrize(("arch", "linear_first"), [
    ("0-0-1-2|gcn,sage,gin,fc", False), ("0-0-1-1|graph,cheb,gat,arma", False),
    ("0-0-0-1|arma,arma,gat,sage", False), ("0-0-1-1|graph,cheb,gat,arma", True),
    ("0-0-0-0|sage,gin,graph,cheb", True)])
def test_nbgraph_sparse_input_equals_dense(arch, linear_first):
    # Cora's 1.3 %-full features multiplied on their non-zero entries (and, linear_first, the
    # aggregating ops' Linear applied before the aggregation): the same outputs and gradients to
    # float rounding, for every op that reads the raw input (ARMA's own weights too); dropout 0,
    # since the sparse path draws its input mask from other random numbers
    import copy

    from predictors.networks import graph_data
    from predictors.networks.sparse_features import _LINEAR_FIRST, _SPARSE_AWARE

    data = graph_data.load("cora")
    outs, grads = [], []
    for sparse in (False, True):
        torch.manual_seed(0)
        net = networks.build("nbgraph", arch, "cora", dropout=0.0, sparse_input=sparse,
                             linear_first=sparse and linear_first).train()
        out = net(data.x, data.edge_index)
        out[data.train_mask].logsumexp(1).sum().backward()
        outs.append(out.detach())
        grads.append(torch.cat([p.grad.flatten() for p in net.parameters() if p.grad is not None]))
    assert (outs[0] - outs[1]).abs().max() < 1e-4 * outs[0].abs().max()
    assert (grads[0] - grads[1]).abs().max() < 1e-5 * grads[0].abs().max()
    # only the raw-input ops are sparse-aware; copies keep it and compute with their own weights
    assert any(type(m) in _SPARSE_AWARE.values() for m in net.ops[0].modules())  # reads the input
    linear_first_ops = [op for op in net.ops if type(op) in _LINEAR_FIRST.values()]
    aggregating = sum(net.raw[lk] and op in ("sage", "gin", "graph", "cheb")
                      for op, lk in zip(net.arch.ops, net.links))
    assert len(linear_first_ops) == (aggregating if linear_first else 0)
    assert aggregating > 0 or not linear_first  # the case checks what it is meant to
    assert "SparseAware" not in type(net.fc).__name__
    twin = copy.deepcopy(net).eval()
    with torch.no_grad():
        twin.ops[0].reset_parameters()
        assert not torch.allclose(twin(data.x, data.edge_index), net.eval()(data.x, data.edge_index))


def test_nbgraph_input_dropout_draws_the_non_zero_entries_only():
    # F.dropout's distribution (kept with probability 1 - p, scaled by 1 / (1 - p)), zeros stay
    # zero, the twin holds the dropped tensor, and a seed gives the same draw twice
    from predictors.networks import graph_data
    from predictors.networks.sparse_features import dropout

    x = graph_data.load("cora").x
    nz = x != 0
    torch.manual_seed(1)
    d = dropout(x, 0.7, True)
    kept = d[nz] != 0
    n = int(nz.sum())
    assert abs(float(kept.float().mean()) - 0.3) < 4 * (0.3 * 0.7 / n) ** 0.5
    assert torch.allclose(d[nz][kept], x[nz][kept] / 0.3) and not d[~nz].any()
    assert torch.equal(d._sparse_twin.to_dense(), d)
    torch.manual_seed(1)
    assert torch.equal(dropout(x, 0.7, True), d)
    assert torch.equal(dropout(x, 0.7, False), x) and not dropout(x, 1.0, True).any()


def test_nbgraph_sparse_input_skips_inputs_that_need_a_gradient():
    from predictors.networks import graph_data
    from predictors.networks.sparse_features import dropout

    x = graph_data.load("cora").x
    assert hasattr(dropout(x, 0.5, True), "_sparse_twin")
    assert not hasattr(dropout(x.clone().requires_grad_(), 0.5, True), "_sparse_twin")  # jacov
    assert not hasattr(dropout(torch.rand(50, 300), 0.5, True), "_sparse_twin")  # dense
    assert not hasattr(dropout(x.to("meta"), 0.5, True), "_sparse_twin")  # not on a CPU
    assert not hasattr(x, "_sparse_twin")  # the caller's tensor is left alone
    with torch.inference_mode():  # no version counter to cache against: works, uncached
        assert hasattr(dropout(x.clone(), 0.5, False), "_sparse_twin")


def test_nbgraph_builds_the_canonical_form():
    # a relabelled spelling of the same class is the same network
    a = networks.build("nbgraph", "0-1-2-1|gcn,gin,fc,cheb", "cora")
    b = networks.build("nbgraph", "0-1-1-2|gcn,gin,cheb,fc", "cora")
    assert a.arch == b.arch


# -- the hooks the zero-cost proxies use ---------------------------------------------------------


@pytest.mark.parametrize(
    ("space", "arch", "kwargs"),
    [
        ("nb101", "ops:input,conv3x3-bn-relu,maxpool3x3,output|adj:0110,0001,0001,0000", {"stem_channels": 16}),
        ("nbmacro", "12021102", {}),
        ("nats_sss", "8:16:24:32:64", {}),
        ("darts", None, {"C": 8, "layers": 5}),
        ("transnas_macro", "64-1234-basic", {}),
        ("transnas_micro", "64-41414-1_02_333", {}),
    ],
)
def test_pre_gap_and_features_agree_with_forward(space, arch, kwargs):
    if arch is None:
        arch = nasbench.load("nb301").archs[0]
    torch.manual_seed(0)
    net = networks.build(space, arch, "cifar10", **kwargs).eval()
    x = torch.randn(2, 3, 32, 32)
    fmap = net.pre_gap(x)
    assert fmap.dim() == 4 and fmap.shape[0] == 2
    assert torch.allclose(net.features(x), fmap.mean(dim=(2, 3)), atol=1e-6)
    assert torch.allclose(net(x), net.classifier(net.features(x)), atol=1e-5)


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("space", "arch", "dataset", "error", "match"),
    [
        ("nb101", "ops:input,output|adj:01,00", "imagenet", KeyError, "unknown dataset 'imagenet'"),
        ("nbmacro", "0123", "cifar10", ValueError, "has 4 characters"),
        ("nats_sss", "8:8:8:8:9", "cifar10", ValueError, "width 9"),
        ("nbgraph", "0-0-0-0|gcn,gcn,gcn,gcn", "proteins", KeyError, "use one of cora"),
        ("transnas_macro", "64-41414-basic", "jigsaw", KeyError, "decoders not built"),
        ("darts", "Genotype(normal=[])", "cifar10", ValueError, "DARTS"),
    ],
)
def test_bad_input_is_one_line_error(space, arch, dataset, error, match):
    with pytest.raises(error, match=match) as info:
        networks.build(space, arch, dataset)
    assert "\n" not in str(info.value)


def test_nb101_unknown_init_names_the_choices():
    with pytest.raises(ValueError, match="unknown NB101 init 'he'; use one of tensorflow, zero-cost-nas"):
        networks.build("nb101", "ops:input,output|adj:01,00", "cifar10", init="he")
