"""GNN predictors: graphs per space, encoders, losses, GNNPredictor, pretraining, ensemble."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from nasbench import spaces  # noqa: E402
from predictors.base import PredictorInputError  # noqa: E402
from predictors.gnn import graphs  # noqa: E402

ARCH201 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _split(bench, n_train, n_test, seed=0, dataset="cifar10", target="test_accuracy"):
    y = np.asarray(bench.values(dataset, target), dtype=np.float64)
    rows = np.flatnonzero(np.isfinite(y))
    perm = np.random.default_rng(seed).permutation(rows)
    archs = np.asarray(bench.archs, dtype=object)
    te, tr = perm[:n_test], perm[n_test : n_test + n_train]
    return archs[tr].tolist(), y[tr], archs[te].tolist(), y[te]


def _kendall(a, b):
    from scipy.stats import kendalltau

    return kendalltau(a, b).statistic


# -- graphs -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", graphs.GRAPH_SPACES)
def test_every_graph_space_round_trips(name):
    """to_pyg packs the space's own graph form unchanged, and its levels follow the edges."""
    space = spaces.get(name)
    assert graphs.has_graph(space)
    for arch in space.sample(3, seed=1):
        x, edge_index = space.to_graph(arch)
        g = graphs.to_pyg(name, arch)
        assert g.num_nodes == len(x) > 0
        np.testing.assert_array_equal(g.x.numpy(), x)
        np.testing.assert_array_equal(g.edge_index.numpy(), np.asarray(edge_index).reshape(2, -1))
        src, dst = g.edge_index
        assert bool((g.level[dst] > g.level[src]).all())  # data flows to deeper nodes only


def test_nb201_graph_op_counts_and_edges():
    g = graphs.to_pyg("nb201", ARCH201)
    from nasbench.spaces.nb201 import OPS

    kinds = ("input", "output", *OPS)
    counts = dict(zip(kinds, g.x.sum(0).tolist()))
    assert counts == {"input": 1, "output": 1, "none": 0, "skip_connect": 2, "nor_conv_1x1": 0,
                      "nor_conv_3x3": 3, "avg_pool_3x3": 1}
    assert g.edge_index.shape == (2, 10)
    assert g.level.tolist() == [0, 1, 1, 2, 1, 2, 3, 4]


def test_nb101_graph_is_the_pruned_cell():
    arch = ("ops:input,conv3x3-bn-relu,maxpool3x3,output|adj:0110,0001,0001,0000")
    g = graphs.to_pyg("nb101", arch)
    assert g.num_nodes == 4 and g.edge_index.shape == (2, 4)
    assert g.level.tolist() == [0, 1, 1, 2]


def test_graphs_batch_with_pyg_loader():
    from torch_geometric.loader import DataLoader

    archs = spaces.get("nb201").sample(10, seed=0)
    data = graphs.to_pyg_list("nb201", archs, extra=np.arange(20.0).reshape(10, 2))
    batch = next(iter(DataLoader(data, batch_size=10)))
    assert batch.num_graphs == 10 and batch.x.shape == (80, 7) and batch.u.shape == (10, 2)


def test_bad_graph_input_is_refused():
    with pytest.raises(PredictorInputError, match="conv_9x9"):
        graphs.to_pyg("nb201", ARCH201.replace("avg_pool_3x3", "conv_9x9"))
    with pytest.raises(PredictorInputError, match="not a valid nb201"):
        graphs.to_pyg("nb201", "ops:input,output|adj:01,00")
    with pytest.raises(ValueError, match="cycle"):
        graphs.topological_levels(3, np.array([[0, 1, 2], [1, 2, 1]]))
    with pytest.raises(PredictorInputError, match="one per arch"):
        graphs.to_pyg_list("nb201", [ARCH201], extra=np.zeros((2, 1)))


def test_empty_and_out_of_range_graphs_are_refused(monkeypatch):
    space = spaces.get("nbmacro")
    monkeypatch.setattr(type(space), "to_graph", lambda self, a: (np.zeros((0, 5)), np.zeros((2, 0))))
    with pytest.raises(PredictorInputError, match="empty graph"):
        graphs.graph_arrays(space, "00000000")
    monkeypatch.setattr(type(space), "to_graph", lambda self, a: (np.eye(2), np.array([[0], [5]])))
    with pytest.raises(PredictorInputError, match="vertex 5"):
        graphs.graph_arrays(space, "11111111")


# -- encoders and losses ------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["gin", "gcn", "gat", "flow", "flower"])
def test_encoders_give_one_vector_per_graph(kind):
    from torch_geometric.data import Batch

    from predictors.gnn.encoders import GNNModel, GraphEncoder

    batch = Batch.from_data_list(graphs.to_pyg_list("nb101", spaces.get("nb101").sample(5, seed=0)))
    enc = GraphEncoder(kind, batch.x.shape[1], hidden=16, layers=2)
    assert enc(batch).shape == (5, 32)
    assert GNNModel(enc, hidden=16)(batch).shape == (5,)


def test_reachability_joins_the_pairs_on_a_common_path():
    """FlowerFormer's attention pairs: ancestors and descendants, both directions, per graph of a
    batch; two branches of a diamond (1 and 2) share no path, nor do nodes of different graphs."""
    from predictors.gnn.encoders import reachability_index

    edge_index = torch.tensor([[0, 0, 1, 2, 4], [1, 2, 3, 3, 5]])  # a diamond, then an edge
    pairs = reachability_index(edge_index, torch.tensor([0, 0, 0, 0, 1, 1]), depth=2)
    got = sorted(map(tuple, pairs.T.tolist()))
    one_way = [(0, 1), (0, 2), (0, 3), (1, 3), (2, 3), (4, 5)]
    assert got == sorted(one_way + [(b, a) for a, b in one_way])


def test_flow_conv_follows_the_topological_order():
    """A forward sweep carries information downstream only: changing the sink leaves the
    source's state alone, changing the source reaches the sink."""
    from predictors.gnn.encoders import FlowConv

    torch.manual_seed(0)
    conv = FlowConv(4)
    edge_index = torch.tensor([[0, 1], [1, 2]])
    level = torch.tensor([0, 1, 2])
    x = torch.randn(3, 4)
    base = conv(x, edge_index, level)
    sink = x.clone()
    sink[2] += 1.0
    assert torch.equal(conv(sink, edge_index, level)[:2], base[:2])
    src = x.clone()
    src[0] += 1.0
    assert not torch.allclose(conv(src, edge_index, level)[2], base[2])


def test_ranking_losses_prefer_the_true_order():
    from predictors.gnn.losses import LOSSES

    y = torch.tensor([3.0, 2.0, 1.0, 0.0])
    for name, fn in LOSSES.items():
        good, bad = fn(y.clone(), y, margin=0.1), fn(-y, y, margin=0.1)
        assert float(good) < float(bad), name
    assert float(LOSSES["hinge"](y, y, margin=0.1)) == 0.0  # every pair ordered by >= 1 > margin


# -- the predictor ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def nb201_split():
    import nasbench

    bench = nasbench.load("nb201")
    return _split(bench, 200, 500, seed=0)


def test_gnn_predictor_learns_nb201(nb201_split):
    """200 training archs: the GNN ranks 500 test archs better than their parameter count."""
    import nasbench
    from predictors.gnn import GNNPredictor

    xtr, ytr, xte, yte = nb201_split
    model = GNNPredictor(space="nb201", encoder="gin", loss="mse", epochs=40, random_state=0)
    pred = model.fit(xtr, ytr).predict(xte)
    params = nasbench.load("nb201").query(xte, "cifar10", "params")
    assert _kendall(yte, pred) > _kendall(yte, params) + 0.05  # 0.655 vs 0.576 when written
    assert abs(np.median(pred) - np.median(yte)) < 2  # mapped back to accuracy (%)


def test_gnn_predictor_is_deterministic_and_clonable(nb201_split):
    from sklearn.base import clone
    from sklearn.utils import get_tags

    from predictors.gnn import GNNPredictor

    xtr, ytr, xte, _ = nb201_split
    model = GNNPredictor(space="nb201", encoder="gin", loss="hinge", epochs=8, random_state=3)
    a = model.fit(xtr[:80], ytr[:80]).predict(xte[:50])
    b = clone(model).fit(xtr[:80], ytr[:80]).predict(xte[:50])
    c = clone(model).set_params(random_state=4).fit(xtr[:80], ytr[:80]).predict(xte[:50])
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert model.get_params()["encoder"] == "gin"
    tags = get_tags(model)
    assert tags.input_tags.string and not tags.input_tags.allow_nan


def test_gnn_predictor_refuses_bad_input(nb201_split):
    from predictors.gnn import GNNPredictor

    xtr, ytr, _, _ = nb201_split
    with pytest.raises(PredictorInputError, match="encoder='transformer'"):
        GNNPredictor(space="nb201", encoder="transformer").fit(xtr[:10], ytr[:10])
    with pytest.raises(PredictorInputError, match="loss='l1'"):
        GNNPredictor(space="nb201", loss="l1").fit(xtr[:10], ytr[:10])
    with pytest.raises(PredictorInputError, match="multiple of 4"):
        GNNPredictor(space="nb201", encoder="flower", hidden=30).fit(xtr[:10], ytr[:10])
    # these reached torch or numpy mid-fit (or, n_jobs=0, ran on one thread without a word)
    for bad, match in ((dict(dropout=1.5), "dropout=1.5"), (dict(learning_rate=-1.0), "learning_rate"),
                       (dict(n_jobs=0), "n_jobs=0"), (dict(random_state=-1), "random_state=-1"),
                       (dict(device="tpu"), "device='tpu'; use None, 'cpu' or 'cuda'")):
        with pytest.raises(PredictorInputError, match=match):
            GNNPredictor(space="nb201", epochs=1, **bad).fit(xtr[:10], ytr[:10])
    with pytest.raises(PredictorInputError, match="not fitted"):
        GNNPredictor(space="nb201").predict(xtr[:3])
    model = GNNPredictor(space="nb201", epochs=1).fit(xtr[:10], ytr[:10])
    with pytest.raises(PredictorInputError, match="not a valid nb201"):
        model.predict(["ops:input,conv3x3-bn-relu,output|adj:010,001,000"])


def test_space_without_graph_form_is_refused(monkeypatch):
    space = spaces.get("nbmacro")

    def no_graph(self, arch):
        raise NotImplementedError("no graph")

    monkeypatch.setattr(type(space), "to_graph", no_graph)
    with pytest.raises(PredictorInputError, match="has no graph form"):
        graphs.graph_arrays(space, "12121212")


def test_gnn_both_uses_the_stores_proxies():
    import nasbench
    from predictors.gnn import GNNPredictor

    bench = nasbench.load("nb201")
    xtr, ytr, xte, yte = _split(bench, 100, 300, seed=1)
    model = GNNPredictor(space="nb201", encoder="gin", features="both", bench="nb201",
                         dataset="cifar10", loss="mse", epochs=30, validation_fraction=0.0,
                         random_state=0)
    pred = model.fit(xtr, ytr).predict(xte)
    assert len(model.proxy_names_) >= 10 and model.model_.extra_dim == len(model.proxy_names_)
    assert np.isfinite(pred).all() and _kendall(yte, pred) > 0.5


def test_pretraining_reduces_the_reconstruction_loss():
    from predictors.gnn.encoders import GraphEncoder
    from predictors.gnn.pretrain import pretrain_encoder, unlabelled_archs

    data = graphs.to_pyg_list("nb201", unlabelled_archs(spaces.get("nb201"), 300))
    enc = GraphEncoder("flow", data[0].x.shape[1], hidden=16, layers=1)
    first = pretrain_encoder(enc, data, epochs=1)["ops_loss"]
    later = pretrain_encoder(enc, data, epochs=10)["ops_loss"]
    assert later < 0.75 * first


def test_proxy_targets_are_rank_scores_of_the_data_free_proxies(monkeypatch):
    from scipy.stats import spearmanr

    import nasbench
    from predictors.gnn import pretrain
    from predictors.gnn.pretrain import DATA_FREE_PROXIES, proxy_targets

    space = spaces.get("nb201")
    archs, targets, names = proxy_targets(space, "nb201_zc", DATA_FREE_PROXIES, 400)
    assert names == [f"zc/{p}" for p in DATA_FREE_PROXIES] and targets.shape == (400, len(names))
    assert len({str(a) for a in archs}) == 400  # one arch per isomorphism class
    assert all(space.canonical(a) == a for a in archs[:50])
    zc = nasbench.load("nb201_zc")
    raw = zc.query(archs, "cifar10", "zc/synflow")
    ok = np.isfinite(raw)
    assert ok.sum() > 350 and spearmanr(raw[ok], targets[ok, 3]).statistic == pytest.approx(1.0)
    assert abs(np.nanmean(targets[:, 3])) < 0.05 and np.nanstd(targets[:, 3]) > 0.9
    with pytest.raises(PredictorInputError, match="nb101"):
        proxy_targets(spaces.get("nb101"), "nb201_zc", DATA_FREE_PROXIES, 10)
    # a table whose run has barely begun is no pretraining set: 6,466 classes are too few for 7,000
    monkeypatch.setattr(pretrain, "MIN_PRETRAIN_ARCHS", 7000)
    with pytest.raises(PredictorInputError, match="for 6466 classes; pretrain='zc' needs at least 7000"):
        proxy_targets(space, "nb201_zc", DATA_FREE_PROXIES)


def test_proxy_pretraining_learns_the_proxies():
    from predictors.gnn.encoders import GraphEncoder
    from predictors.gnn.pretrain import DATA_FREE_PROXIES, pretrain_on_proxies, proxy_targets

    archs, targets, _ = proxy_targets(spaces.get("nb201"), "nb201_zc", DATA_FREE_PROXIES, 600)
    data = graphs.to_pyg_list("nb201", archs)
    torch.manual_seed(0)
    enc = GraphEncoder("flow", data[0].x.shape[1], hidden=16, layers=1)
    first = pretrain_on_proxies(enc, data, targets, epochs=1)["proxy_loss"]
    later = pretrain_on_proxies(enc, data, targets, epochs=15)["proxy_loss"]
    # the targets have unit variance: a loss of 0.6 leaves 40 % of it explained
    assert first > 0.8 and later < 0.6, (first, later)


def test_proxy_pretraining_lifts_a_small_training_set():
    """78 labelled NB201 archs: the encoder pretrained on the data-free proxies of 2,000 classes
    ranks 1,000 test archs better than the same model from scratch (small, fast configuration;
    the full one is in benchmarks/results/gnn_small.md)."""
    import nasbench
    from predictors.gnn import GNNPredictor

    b = nasbench.load("nb201")
    xtr, ytr, xte, yte = _split(b, 78, 1000)
    taus = {}
    for pre in (None, "zc"):
        model = GNNPredictor(space="nb201", bench="nb201", pretrain=pre, pretrain_archs=2000,
                             pretrain_epochs=15, hidden=32, epochs=150, random_state=0)
        taus[pre] = _kendall(yte, model.fit(xtr, ytr).predict(xte))
    assert taus["zc"] > 0.66 and taus["zc"] > taus[None] + 0.03, taus


def test_rank_ensemble_averages_members(nb201_split):
    from predictors import XGBPredictor
    from predictors.gnn import GNNPredictor, RankEnsemble

    xtr, ytr, xte, yte = nb201_split
    ens = RankEnsemble([GNNPredictor(encoder="gin", loss="mse", epochs=20, validation_fraction=0.0),
                        XGBPredictor(n_estimators=200)], space="nb201", random_state=0)
    pred = ens.fit(xtr, ytr).predict(xte)
    assert pred.min() >= 0 and pred.max() <= 1
    assert all(m.space == "nb201" for m in ens.members_)
    assert _kendall(yte, pred) > 0.55
    with pytest.raises(PredictorInputError, match="non-negative"):
        RankEnsemble([XGBPredictor()], weights=[-1], space="nb201").fit(xtr[:10], ytr[:10])


def test_isomorphic_cells_share_one_prediction(nb201_split):
    from nasbench.spaces.nb201 import SPACE
    from predictors.gnn import GNNPredictor

    xtr, ytr, _, _ = nb201_split
    # the conv on edge 1->3 is dead when node 1 gets nothing: the two cells are one function
    a = "|none~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
    b = "|none~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|"
    assert SPACE.canonical(a) == SPACE.canonical(b)
    merged = GNNPredictor(space="nb201", epochs=5, random_state=0).fit(xtr, ytr).predict([a, b])
    assert merged[0] == pytest.approx(merged[1], rel=1e-7)  # one graph (float sums may reorder)
    apart = GNNPredictor(space="nb201", epochs=5, random_state=0, merge_isomorphic=False)
    pred = apart.fit(xtr, ytr).predict([a, b])
    assert abs(pred[0] - pred[1]) > 1e-3, pred


def test_members_are_distinct_models_averaged(nb201_split):
    from predictors.gnn import GNNPredictor

    xtr, ytr, xte, yte = nb201_split
    one = GNNPredictor(space="nb201", epochs=20, random_state=3).fit(xtr, ytr)
    two = GNNPredictor(space="nb201", epochs=20, random_state=3, members=2).fit(xtr, ytr)
    first, second = (two._scores(m, two._graphs(xte, fit=False), "cpu") for m in two.models_)
    # member 0 is the single model; member 1 another initialisation
    np.testing.assert_allclose(first, one._scores(one.model_, one._graphs(xte, fit=False), "cpu"))
    assert not np.allclose(first, second)
    (m0, s0), (m1, s1) = two.member_scale_
    np.testing.assert_allclose(two.predict(xte), two.target_map_(((first - m0) / s0 + (second - m1) / s1) / 2))
    with pytest.raises(PredictorInputError, match="members"):
        GNNPredictor(space="nb201", members=0).fit(xtr[:10], ytr[:10])


def test_registry_names():
    from predictors import registry
    from predictors.gnn import GNNPredictor, RankEnsemble

    m = registry.make("gnn-gin-listwise", space="nb201")
    assert isinstance(m, GNNPredictor) and (m.encoder, m.loss) == ("gin", "listwise")
    assert registry.make("gnn-both-pre", bench="nb201", dataset="cifar10").features == "both"
    assert isinstance(registry.make("gnn+xgb", space="nb201"), RankEnsemble)
    assert registry.make("gnn-ens", space="nb201").members == 5
    with pytest.raises(PredictorInputError, match="no GNN flag 'mlp'"):
        registry.make("gnn-mlp", space="nb201")


# -- transfer -----------------------------------------------------------------------------------
def test_shared_vocabulary_puts_overlapping_ops_in_one_column():
    kinds = graphs.SHARED_KINDS
    g201 = graphs.to_pyg("nb201", ARCH201, vocab="shared")
    g101 = graphs.to_pyg("nb101", "ops:input,conv3x3-bn-relu,maxpool3x3,output|adj:0110,0001,0001,0000",
                         vocab="shared")
    assert g201.x.shape[1] == g101.x.shape[1] == len(kinds)
    assert dict(zip(kinds, g201.x.sum(0).tolist()))["conv3x3"] == 3
    counts101 = dict(zip(kinds, g101.x.sum(0).tolist()))
    assert (counts101["conv3x3"], counts101["max_pool"], counts101["input"]) == (1, 1, 1)
    with pytest.raises(PredictorInputError, match="no shared-vocabulary form"):
        graphs.to_pyg("nbmacro", "12121212", vocab="shared")


def test_fine_tuning_and_zero_shot_across_spaces(nb201_split):
    import nasbench
    from predictors.gnn import GNNPredictor
    from predictors.gnn.transfer import zero_shot

    xtr, ytr, xte, yte = nb201_split
    b101 = nasbench.load("nb101")
    s_tr, s_y, _, _ = _split(b101, 60, 10, seed=0, target="valid_accuracy")
    kw = dict(encoder="gin", loss="mse", epochs=5, vocab="shared", random_state=0)
    source = GNNPredictor(space="nb101", **kw).fit(s_tr, s_y)
    scores = zero_shot(source, "nb201", xte[:50])
    assert scores.shape == (50,) and np.isfinite(scores).all()
    tuned = GNNPredictor(space="nb201", init_model=source.model_, **kw).fit(xtr[:20], ytr[:20])
    assert tuned.model_ is not source.model_  # the source model is copied, not trained further
    with pytest.raises(PredictorInputError, match="vocab='shared'"):
        GNNPredictor(space="nb201", init_model=source.model_, encoder="gin", epochs=1).fit(xtr[:10], ytr[:10])
    with pytest.raises(PredictorInputError, match="fit it first"):
        GNNPredictor(space="nb201", init_model=GNNPredictor(), epochs=1).fit(xtr[:10], ytr[:10])
