"""Zero-cost proxies on the NAS-Bench-Graph GNNs, run on the real Cora graph: every proxy is a
finite number or NaN with a reason, fused == alone for the merged pass, determinism, params
against the published table, the keyed plan, and the ``nbgraph_zc`` recipe on a small real run."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

import nasbench  # noqa: E402
from nasbench.spaces.nbgraph import SPACE, parse_arch  # noqa: E402
from predictors.networks.nbgraph import GraphNetwork  # noqa: E402
from predictors.zero_cost import cli, graph_passes, registry, runner, table  # noqa: E402

#: every op of the space among them: GAT's attention vectors, ARMA's raw weight tensors, a skip
ARCHS = ["0-1-2-3|graph,sage,cheb,arma", "0-0-1-1|gat,gcn,skip,gin", "0-1-1-2|gcn,fc,skip,gin"]
AZ = {f"az_nas.{c}" for c in ("expressivity", "progressivity", "trainability", "complexity")}


@pytest.fixture(scope="module")
def cora():
    torch.set_num_threads(1)
    try:
        return runner.graph_inputs("cora", seed=0)
    except FileNotFoundError as err:
        pytest.skip(str(err))


def small(arch: str, seed: int = 0, dim: int = 8) -> GraphNetwork:
    """The benchmark's network for Cora with a small hidden size (the proxies are the same code)."""
    torch.manual_seed(seed)
    return GraphNetwork(parse_arch(SPACE.canonical(arch)), 1433, 7, dim, 0, 1)


def test_graph_inputs_are_the_public_split(cora):
    assert tuple(cora.x.shape) == (2708, 1433) and cora.edge_index.shape[1] == 10556
    assert len(cora.nodes) == 140 and np.bincount(cora.y[cora.nodes].numpy()).tolist() == [20] * 7
    first, second = cora.halves()
    assert len(first) == len(second) == 70
    assert not set(first.tolist()) & set(second.tolist())
    assert np.bincount(cora.y[first].numpy()).tolist() == [10] * 7


@pytest.fixture(scope="module")
def scored(cora):
    """All proxies of two small networks, seed 0: arch -> Result."""
    return {a: runner.compute(small(a), cora, "all") for a in ARCHS[:2]}


@pytest.mark.parametrize("arch", ARCHS[:2])
def test_every_proxy_is_finite_or_nan_with_reason(scored, arch):
    res = scored[arch]
    assert set(res.values) == set(registry.available()) | AZ
    for key, v in res.values.items():
        assert math.isfinite(v) or res.reasons.get(key), key
    assert set(res.reasons) == {"gradsign", "az_nas"}
    assert res.reasons["gradsign"] == graph_passes.GRADSIGN_UNDEFINED
    assert res.reasons["az_nas"] == runner.POPULATION
    assert res.values["flops"] == res.values["az_nas.complexity"] > 0
    assert res.values["swap"] >= 2 and res.values["synflow"] > 0


def test_merged_pass_equals_each_proxy_alone(cora):
    names = ["flops", "meco", "snip", "nwot", "zico", "l2_norm"]
    fused = runner.compute(small(ARCHS[0], seed=1), cora, names)
    for name in names:
        alone = runner.compute(small(ARCHS[0], seed=1), cora, [name])
        assert alone.values[name] == pytest.approx(fused.values[name], rel=1e-5), name


def test_flops_count_the_dense_products_of_one_forward(cora):
    # a chain gcn -> fc -> fc -> fc, hidden size d: the GCN's F x d product on every node, three
    # d x d, the cell's output Linear d x d and the classifier d x 7 (biases are not multiplies)
    d, n = 8, 2708
    res = runner.compute(small("0-1-2-3|gcn,fc,fc,fc", dim=d), cora, ["flops"])
    assert res.values["flops"] * 1e6 == n * (1433 * d + 3 * d * d + d * d + d * 7)


def test_deterministic_for_a_seed(cora, scored):
    a = scored[ARCHS[1]]
    b = runner.compute(small(ARCHS[1]), cora, "all")
    assert a.values.keys() == b.values.keys()
    for k, v in a.values.items():
        assert v == b.values[k] or (math.isnan(v) and math.isnan(b.values[k])), k
    c = runner.compute(small(ARCHS[1], seed=6), cora, ["snip"])
    assert c.values["snip"] != a.values["snip"]


def test_params_equal_the_published_params(cora):
    bench = nasbench.load("nbgraph")
    for arch in ARCHS:
        res = runner.compute_arch("nbgraph", arch, "cora", cora, ["params"], seed=0)
        assert res.values["params"] == pytest.approx(bench.query(arch, "cora", "params"), abs=1e-9)
    bench.close()


def test_every_proxy_has_a_graph_convention():
    assert set(graph_passes.GRAPH_CONVENTIONS) == set(registry.available())


def test_cli_refuses_a_dataset_the_space_cannot_run_on(capsys):
    assert cli.main(["nbgraph", "--dataset", "cifar10", "--archs", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "use one of cora, citeseer" in err[0]
    assert cli.main(["nb201", "--dataset", "cora", "--archs", "2"]) == 2
    assert "only nbgraph networks" in capsys.readouterr().err


def test_plan_indices_are_official_keys():
    planned = table.keyed("nbgraph", table.plan(
        "nbgraph", table.keyed_tokens("nbgraph", ["87072", ARCHS[0]]), ["params"]))
    assert [i for i, _, _ in planned] == [87072, SPACE.key(ARCHS[0])]
    assert planned[0][1] == SPACE.from_key(87072)


def test_recipe_builds_from_a_run_and_queries_its_numbers(tmp_path):
    from nasbench.recipes import nbgraph_zc

    archs = tmp_path / "archs.txt"
    archs.write_text(f"{SPACE.key(ARCHS[0])}\n{ARCHS[2]}\n")
    out = tmp_path / "zc"
    argv = ["nbgraph", "--dataset", "cora", "--archs", str(archs), "--proxies", "params,l2_norm",
            "--out", str(out), "--chunk", "1", "--no-progress"]
    assert cli.main(argv) == 0
    rows = table.read_results(out).sort_values("index")
    assert sorted(rows["index"]) == sorted(SPACE.key(a) for a in ARCHS[::2])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["images"].startswith("the cora graph")

    tiny = dataclasses.replace(nbgraph_zc.TABLE, results_dir=out)
    recipe = tiny.recipe("nbgraph_zc", archs=nbgraph_zc.RECIPE.archs, description="test")
    bench = nasbench.load(recipe.build(tmp_path / "nbgraph_zc.h5", progress=False))
    assert len(bench) == 26206 and list(bench.archs) == list(SPACE.enumerate())
    for _, row in rows.iterrows():
        assert bench.query(row["arch"], "cora", "zc/params") == row["params"]
        assert bench.query(row["arch"], "cora", "zc/l2_norm") == row["l2_norm"]
    assert np.isfinite(bench.query(list(bench.archs), "cora", "zc/params")).sum() == 2  # NaN elsewhere
    bench.close()

    # a row whose index is not its arch's key is refused
    chunk = next(out.glob("chunk-*.csv.gz"))
    bad = table.read_results(out).iloc[:1].assign(index=0)
    bad.to_csv(chunk, index=False)
    with pytest.raises(ValueError, match="official index"):
        tiny.read([], list(SPACE.enumerate()), folder=out)
