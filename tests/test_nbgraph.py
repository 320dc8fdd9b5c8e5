"""NAS-Bench-Graph: the space (parse, canonical form, official keys) and the ``nbgraph`` store,
checked against the published ``.bench`` files."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nasbench import Benchmark
from nasbench.recipes import nbgraph as recipe
from nasbench.spaces.nbgraph import OPS, PROTEINS_OPS, SPACE, GraphArch

# -- the space ------------------------------------------------------------------------------------


def test_roundtrip_and_official_examples() -> None:
    s = "0-0-1-2|gcn,gat,sage,arma"
    assert SPACE.format(SPACE.parse(s)) == s
    # PROVENANCE: cora key 87072 is link [0,1,2,3] with ops [fc, gat, fc, gin]
    assert SPACE.from_key(87072) == "0-1-2-3|fc,gat,fc,gin"
    assert SPACE.key("0-1-2-3|fc,gat,fc,gin") == 87072
    # a tree outside the 9 official patterns is written in its pattern (here [0,1,1,2])
    assert SPACE.canonical("0-1-2-1|gcn,gin,fc,cheb") == "0-1-1-2|gcn,gin,cheb,fc"
    # nodes may be listed in any order: here node 1 reads node 2 (gcn -> gin -> fc, and gat)
    assert SPACE.canonical("2-0-1-0|gin,gcn,fc,gat") == SPACE.canonical("0-1-2-0|gcn,gin,fc,gat")
    assert SPACE.canonical("2-0-1-0|gin,gcn,fc,gat") == "0-0-1-3|gcn,gat,gin,fc"


@pytest.mark.parametrize(
    ("arch", "canonical", "key"),
    [
        # skip leaves on the raw input are dropped; freed slots become a skip chain in front
        ("0-0-0-0|gcn,gat,skip,skip", "0-1-2-2|skip,skip,gat,gcn", 78801),
        # a skip that feeds a node is dissolved (gcn then reads the input)
        ("0-1-0-0|skip,gcn,gat,gin", "0-1-1-1|skip,gat,gcn,gin", 58012),
        # a skip that is its parent's only reader is dropped (the parent is a leaf anyway)
        ("0-1-0-0|gcn,skip,gat,gin", "0-1-1-1|skip,gat,gcn,gin", 58012),
        # a skip leaf with a sibling stays: gcn(x) is an extra output term
        ("0-1-1-0|gcn,skip,gat,gin", "0-0-1-1|gcn,gin,gat,skip", 21208),
    ],
)
def test_skip_reduction(arch: str, canonical: str, key: int) -> None:
    assert SPACE.canonical(arch) == canonical
    assert SPACE.key(arch) == key
    assert SPACE.from_key(key) == canonical


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0-0-1-2", "one '|'"),
        ("0-0-1-2|gcn,gat|sage", "one '|'"),
        ("0-0-1|gcn,gat,sage,arma", "3 links"),
        ("0-0-1-2-3|gcn,gat,sage,arma", "5 links"),
        ("0-0-a-2|gcn,gat,sage,arma", "link part"),
        ("0-0--2|gcn,gat,sage,arma", "link part"),
        ("0-0-1-2|gcn,gat,sage", "3 ops"),
        ("0-0-1-7|gcn,gat,sage,arma", "node 4 reads 7"),
        ("0-2-1-2|gcn,gat,sage,arma", "node 2 reads itself"),
        ("0-3-2-0|gcn,gat,sage,arma", "cycle"),
        ("0-0-1-2|gcn,gat,sage,armaa", "unknown op 'armaa'"),
        ("0-0-1-2|skip,skip,skip,skip", "all 4 ops are 'skip'"),
    ],
)
def test_malformed_strings_rejected(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=None) as err:
        SPACE.parse(text)
    assert fragment in str(err.value)
    assert not SPACE.is_valid(text)


@pytest.mark.parametrize("key", [-1, 90000, 321, 19999, 100, 87079])
def test_bad_keys_rejected(key: int) -> None:
    with pytest.raises(ValueError, match="key"):
        SPACE.from_key(key)


def test_space_sizes() -> None:
    archs = list(SPACE.enumerate())
    assert len(archs) == SPACE.size == 26_206
    keys = [SPACE.key(a) for a in archs]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(SPACE.canonical(a) == a for a in archs[::97])
    assert len(SPACE.classes(PROTEINS_OPS)) == 2_021


def test_sample_neighbours_encodings() -> None:
    table = set(SPACE.enumerate())
    sample = SPACE.sample(50, seed=0)
    assert sample == SPACE.sample(50, seed=0) and set(sample) <= table
    assert set(SPACE.sample(20, seed=1, ops=PROTEINS_OPS)) <= set(SPACE.classes(PROTEINS_OPS))
    arch = "0-1-2-3|fc,gat,fc,gin"
    nb = SPACE.neighbours(arch)
    assert arch not in nb and set(nb) <= table and len(nb) == len(set(nb)) > 30
    assert SPACE.encode(arch).shape == (52,)
    assert SPACE.encode([arch, arch], "adjacency").shape == (2, 72)
    assert SPACE.encode(arch, "ordinal").tolist() == [0, 1, 2, 3, 7, 0, 7, 2]
    feats, edges = SPACE.to_graph(arch)
    assert feats.shape == (6, 11) and edges.tolist() == [[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]]
    with pytest.raises(ValueError, match="unknown encoding"):
        SPACE.encode(arch, "path")


# -- properties ----------------------------------------------------------------------------------

ops_st = st.lists(st.sampled_from(OPS), min_size=4, max_size=4).filter(
    lambda ops: set(ops) != {"skip"}
)


@st.composite
def archs_st(draw: st.DrawFn) -> GraphArch:
    """Any of the 125 rooted forests on 4 labelled nodes (nodes listed in any order), any ops."""
    order = draw(st.permutations([1, 2, 3, 4]))
    links = [0] * 4
    for k, node in enumerate(order):
        links[node - 1] = draw(st.sampled_from([0, *order[:k]]))
    return GraphArch(tuple(links), tuple(draw(ops_st)))


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(archs_st())
def test_format_parse_roundtrip(arch: GraphArch) -> None:
    s = SPACE.format(arch)
    assert SPACE.format(SPACE.parse(s)) == s
    assert SPACE.parse(s) == arch


@SETTINGS
@given(archs_st(), st.permutations([1, 2, 3, 4]))
def test_canonical_invariant_under_relabelling(arch: GraphArch, perm: list[int]) -> None:
    new_links, new_ops = [0] * 4, [""] * 4
    for i, (src, op) in enumerate(zip(arch.links, arch.ops)):
        new_links[perm[i] - 1] = perm[src - 1] if src else 0
        new_ops[perm[i] - 1] = op
    relabelled = GraphArch(tuple(new_links), tuple(new_ops))
    assert SPACE.canonical(relabelled) == SPACE.canonical(arch)
    assert SPACE.canonical_hash(relabelled) == SPACE.canonical_hash(arch)
    assert np.array_equal(SPACE.encode(relabelled), SPACE.encode(arch))
    canon = SPACE.canonical(arch)
    assert SPACE.canonical(canon) == canon and SPACE.from_key(SPACE.key(arch)) == canon


# -- the raw files and the store ------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw() -> dict[str, dict[int, dict[str, float]]]:
    return {d: recipe.read_bench(recipe.SOURCES[d].verified_path()) for d in recipe.DATASETS}


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Benchmark:
    path = recipe.RECIPE.build(tmp_path_factory.mktemp("nbgraph") / "nbgraph.h5", progress=False)
    b = Benchmark(path)
    yield b
    b.close()


def test_raw_keys_are_the_space(raw: dict) -> None:
    keys = {SPACE.key(a) for a in SPACE.enumerate()}
    for dataset, table in raw.items():
        if dataset == "proteins":
            assert len(table) == 2_021
            assert set(table) == {SPACE.key(a) for a in SPACE.classes(PROTEINS_OPS)}
        else:
            assert len(table) == 26_206 and set(table) == keys, dataset


# best test accuracy (%) per dataset, from the raw files (PROVENANCE states them to 3 digits)
BEST_TEST = {
    "cora": 83.13,
    "citeseer": 71.57,
    "pubmed": 78.60,
    "cs": 91.26,
    "physics": 93.00,
    "photo": 92.79,
    "computers": 85.58,
    "arxiv": 72.39,
    "proteins": 79.26,
}


@pytest.mark.parametrize("dataset", recipe.DATASETS)
def test_best_test_accuracy(raw: dict, bench: Benchmark, dataset: str) -> None:
    table = raw[dataset]
    best_key = max(table, key=lambda k: table[k]["perf"])
    best = 100 * table[best_key]["perf"]
    assert round(best, 2) == BEST_TEST[dataset]
    top = bench.top(dataset, "test_accuracy", 1)
    assert top.index[0] == SPACE.from_key(best_key)
    assert top["test_accuracy"].iloc[0] == pytest.approx(best, abs=1e-9)


@pytest.mark.parametrize("dataset", recipe.DATASETS)
def test_store_equals_raw(raw: dict, bench: Benchmark, dataset: str) -> None:
    table = raw[dataset]
    rng = np.random.default_rng(7)
    keys = rng.choice(sorted(table), size=150, replace=False)
    archs = [SPACE.from_key(int(k)) for k in keys]
    for metric, field, scale in (
        ("valid_accuracy", "valid_perf", 100.0),
        ("test_accuracy", "perf", 100.0),
        ("latency/authors", "latency", 1000.0),
        ("params", "para", 1.0),
    ):
        expected = np.array([table[int(k)][field] * scale for k in keys])
        np.testing.assert_allclose(bench.query(archs, dataset, metric), expected, rtol=1e-12)
    measured = np.isfinite(bench.values(dataset, "test_accuracy")).sum()
    assert measured == len(table)


def test_store_layout(bench: Benchmark) -> None:
    assert len(bench) == 26_206 and bench.archs == list(SPACE.enumerate())
    assert sorted(bench.datasets) == sorted(recipe.DATASETS)
    d = bench.describe("cora", "latency/authors")
    assert (d.unit, d.split, d.direction) == ("ms", "", "min")
    assert bench.describe("arxiv", "test_accuracy").unit == "%"
    # any spelling of a network finds its class's row
    iso = "0-1-2-1|gcn,gin,fc,cheb"
    assert bench.query(iso, "cora", "test_accuracy") == bench.query(
        SPACE.canonical(iso), "cora", "test_accuracy"
    )
    assert bench.row(iso) == bench.archs.index("0-1-1-2|gcn,gin,cheb,fc")
    # proteins is NaN outside its 2,021 archs
    assert np.isnan(bench.query("0-1-2-3|fc,gat,fc,gin", "proteins", "test_accuracy"))
    assert bench.query("0-1-2-3|fc,gat,fc,gin", "cora", "valid_accuracy") == pytest.approx(
        81.93, abs=0.01
    )


def test_unpickler_refuses_foreign_globals(tmp_path) -> None:
    path = tmp_path / "evil.bench"

    class Evil:
        def __reduce__(self):
            import os

            return (os.getcwd, ())

    path.write_bytes(pickle.dumps({1: Evil()}))
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        recipe.read_bench(path)
