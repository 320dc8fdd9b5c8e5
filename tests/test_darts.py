"""The DARTS space and the ``nb301`` store (500 NASLib genotypes + the Suite-Zero 9x tasks)."""

from __future__ import annotations

import ast
import itertools
import json
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasbench.spaces import get
from nasbench.spaces.darts import OPS, SPACE, Genotype, canonical_cell

#: NASLib's op list for compact NB301 keys, written out here so the test does not reuse the module
NASLIB_OPS = [
    "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
    "dil_conv_3x3", "dil_conv_5x5",
]
DARTS_V2 = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"
)


def _cell():
    nodes = [
        st.tuples(
            st.lists(st.integers(0, k + 1), min_size=2, max_size=2, unique=True),
            st.lists(st.sampled_from(OPS), min_size=2, max_size=2),
        )
        for k in range(4)
    ]
    return st.tuples(*nodes).map(
        lambda ns: tuple((op, i) for inputs, ops in ns for op, i in zip(ops, inputs))
    )


genotypes = st.builds(Genotype, _cell(), _cell())


def _naive_string(cells) -> str:
    """Genotype string written independently of the module's formatter."""
    parts = []
    for pairs in cells:
        parts.append("[" + ", ".join(f"('{op}', {i})" for op, i in pairs) + "]")
    return (
        f"Genotype(normal={parts[0]}, normal_concat=[2, 3, 4, 5], reduce={parts[1]}, "
        "reduce_concat=[2, 3, 4, 5])"
    )


def _relabel(pairs, perm):
    """Cell with node 2+k renamed perm[k]; None if some node would read a later one."""
    rename = {0: 0, 1: 1, **{2 + k: p for k, p in enumerate(perm)}}
    nodes = {}
    for pos, (op, i) in enumerate(pairs):
        new_node, new_input = rename[pos // 2 + 2], rename[i]
        if new_input >= new_node:
            return None
        nodes.setdefault(new_node, []).append((op, new_input))
    return tuple(p for n in range(2, 6) for p in nodes[n])


# -- strings ---------------------------------------------------------------------------------------


@given(genotypes)
def test_format_parse_round_trip(g):
    text = SPACE.format(g)
    assert text == _naive_string((g.normal, g.reduce))
    assert SPACE.parse(text) == g
    assert SPACE.format(SPACE.parse(text)) == text


def test_darts_v2_genotype_and_variants_parse():
    g = SPACE.parse(DARTS_V2)
    assert SPACE.format(g) == DARTS_V2
    assert g.normal[7] == ("dil_conv_3x3", 2) and g.reduce[2] == ("skip_connect", 2)
    # the original DARTS code prints range(2, 6); positional fields and extra spaces are fine too
    assert SPACE.parse(DARTS_V2.replace("[2, 3, 4, 5]", "range(2, 6)")) == g
    positional = DARTS_V2.replace("normal=", "").replace("normal_concat=", "")
    positional = positional.replace("reduce=", "").replace("reduce_concat=", "")
    assert SPACE.parse(positional) == g
    assert SPACE.to_string(DARTS_V2.replace(", ", ",  ")) == DARTS_V2


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("Genotype(normal=[", "is not of the form"),
        ("Genome(normal=[], reduce=[])", "must start with 'Genotype\\('"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)], normal_concat", "], normal_concat"), "normal cell has 7"),
        (DARTS_V2.replace("'dil_conv_3x3'", "'conv_7x7'"), "normal cell pair 7: unknown op 'conv_7x7'"),
        (DARTS_V2.replace("'dil_conv_3x3'", "'none'"), "never contain 'none'"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 5)"), "node 5 cannot read node 5"),
        (
            DARTS_V2.replace("('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2)",
                             "('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2)"),
            "reduce cell: node 2 reads node 0 twice",
        ),
        (DARTS_V2.replace("reduce_concat=[2, 3, 4, 5]", "reduce_concat=[2, 3, 4]"), "reduce_concat is"),
        (DARTS_V2.replace(", reduce_concat=[2, 3, 4, 5]", ""), "missing field reduce_concat"),
        (DARTS_V2.replace("normal_concat", "normal_cat"), "unknown field 'normal_cat'"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', '2')"), "normal pair 7"),
        (DARTS_V2.replace("normal=[", "normal=foo([").replace("2)], normal_concat", "2)]), normal_concat"),
         "field normal is not a literal"),
    ],
)
def test_malformed_strings_name_the_wrong_part(text, complaint):
    with pytest.raises(ValueError, match=complaint):
        SPACE.parse(text)


def test_parse_rejects_non_strings():
    with pytest.raises(ValueError, match="is a string"):
        SPACE.parse(42)
    assert not SPACE.is_valid(DARTS_V2.replace("'none'", "x").replace("sep_conv_3x3", "none"))


# -- identity --------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(genotypes, st.lists(st.booleans(), min_size=8, max_size=8), st.data())
def test_canonical_invariant_under_pair_swaps_and_node_relabelling(g, swaps, data):
    def swap(pairs, flags):
        out = list(pairs)
        for k, flag in enumerate(flags):
            if flag:
                out[2 * k], out[2 * k + 1] = out[2 * k + 1], out[2 * k]
        return tuple(out)

    cells = []
    for c, pairs in enumerate((g.normal, g.reduce)):
        valid = [p for p in itertools.permutations(range(2, 6)) if _relabel(pairs, p)]
        perm = data.draw(st.sampled_from(valid))  # the identity is always valid
        cells.append(swap(_relabel(pairs, perm), swaps[4 * c : 4 * c + 4]))
    other = Genotype(*cells)
    assert SPACE.canonical(other) == SPACE.canonical(g)
    assert SPACE.canonical_hash(other) == SPACE.canonical_hash(g)
    assert SPACE.canonical(SPACE.canonical(g)) == SPACE.canonical(g)


def test_canonical_separates_different_functions():
    # changing one op always changes the function class
    g = SPACE.parse(DARTS_V2)
    op_changes = [
        n for n in SPACE.neighbours(g)
        if [i for _, i in SPACE.parse(n).normal + SPACE.parse(n).reduce]
        == [i for _, i in g.normal + g.reduce]
    ]
    assert len(op_changes) == 96
    for n in op_changes:
        assert SPACE.canonical_hash(n) != SPACE.canonical_hash(g)
    # DARTS-V2's normal nodes 2 and 3 are the same sum, so reading either is the same function
    same = DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 3)")
    assert SPACE.canonical_hash(same) == SPACE.canonical_hash(g)
    # nodes 2 and 3 of this cell both read only the cell inputs and can swap places
    cell = (("sep_conv_3x3", 0), ("skip_connect", 1), ("max_pool_3x3", 0), ("avg_pool_3x3", 1),
            ("dil_conv_3x3", 2), ("sep_conv_5x5", 3), ("skip_connect", 0), ("sep_conv_3x3", 4))
    swapped = (("max_pool_3x3", 0), ("avg_pool_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 1),
               ("sep_conv_5x5", 2), ("dil_conv_3x3", 3), ("skip_connect", 0), ("sep_conv_3x3", 4))
    assert canonical_cell(cell) == canonical_cell(swapped)
    assert canonical_cell(cell) == swapped  # the smaller op ids come first


# -- conversions, sampling, neighbours, encodings ----------------------------------------------------


@given(genotypes)
def test_naslib_compact_round_trip(g):
    compact = SPACE.to_naslib(g)
    assert SPACE.from_naslib(compact) == str(g)
    assert SPACE.from_naslib(str([list(c) for c in compact])) == str(g)
    assert all(NASLIB_OPS[o] == op for c, name in zip(compact, ("normal", "reduce"))
               for (i, o), (op, _) in zip(c, g.cell(name)))


def test_sample_is_seeded_and_valid():
    a = SPACE.sample(50, seed=3)
    assert a == SPACE.sample(50, seed=3) and a != SPACE.sample(50, seed=4)
    assert all(SPACE.to_string(s) == s for s in a)
    assert len(set(a)) == 50


@given(genotypes)
@settings(max_examples=30, deadline=None)
def test_neighbours_are_one_mutation_away(g):
    nbrs = SPACE.neighbours(g)
    assert len(nbrs) == len(set(nbrs)) == 120
    for n in nbrs:
        h = SPACE.parse(n)
        diff = [(a, b) for a, b in zip(g.normal + g.reduce, h.normal + h.reduce) if a != b]
        assert len(diff) == 1


def test_encodings():
    archs = SPACE.sample(20, seed=0)
    onehot = SPACE.encode(archs)
    assert onehot.shape == (20, 196) and (onehot.sum(axis=1) == 16).all()
    assert SPACE.encode(archs, "adjacency").shape == (20, 354)
    assert SPACE.encode(archs[0], "ordinal").shape == (32,)
    # the one-hot and adjacency encodings ignore the order of a node's two pairs
    g = SPACE.parse(archs[0])
    flipped = Genotype(
        tuple(g.normal[i ^ 1] for i in range(8)), tuple(g.reduce[i ^ 1] for i in range(8))
    )
    for enc in ("onehot", "adjacency"):
        assert np.array_equal(SPACE.encode(g, enc), SPACE.encode(flipped, enc))
    with pytest.raises(ValueError, match="unknown encoding 'path'"):
        SPACE.encode(archs, "path")
    feats, edges = SPACE.to_graph(DARTS_V2)
    assert feats.shape == (22, 11) and edges.dtype == np.int64
    # per cell: 8 input/op arcs (node-2..5 reads double up) + 8 op->output arcs
    n_normal = sum(1 if i < 2 else 2 for _, i in SPACE.parse(DARTS_V2).normal) + 8
    assert (edges < 11).all(axis=0).sum() == n_normal


def test_registry():
    assert get("darts") is SPACE


# -- the nb301 store -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nb301():
    import nasbench

    bench = nasbench.load("nb301")
    yield bench
    bench.close()


@pytest.fixture(scope="module")
def raw301(data_root):
    return json.loads((data_root / "naslib-zc-subsets/zc_nasbench301.json").read_text())[
        "nasbench301"
    ]["cifar10"]


def test_nb301_store_equals_raw_file(nb301, raw301):
    assert len(nb301) == 699 and nb301.datasets == ["cifar10", "ninapro", "scifar100", "svhn"]
    keys = list(raw301)
    archs = [_naive_string([[(NASLIB_OPS[o], i) for i, o in c] for c in ast.literal_eval(k)])
             for k in keys]
    assert nb301.archs[:500] == archs  # file order, NASLib's pair order
    fields = {"valid_accuracy": "val_accuracy", "flops": "flops", "params": "params",
              **{f"zc/{p}": p for p in ("epe_nas", "fisher", "grad_norm", "grasp", "jacov",
                                        "l2_norm", "plain", "snip", "synflow")}}
    assert set(nb301.metrics("cifar10")) == set(fields)
    for metric, field in fields.items():
        raw = np.array([raw301[k][field] for k in keys])
        got = nb301.query(archs, "cifar10", metric)
        assert np.array_equal(got, raw), metric
        assert np.isnan(nb301.values("cifar10", metric)[500:]).all()
    best = max(raw301.values(), key=lambda r: r["val_accuracy"])["val_accuracy"]
    assert nb301.top("cifar10", "valid_accuracy", 1)["valid_accuracy"].iloc[0] == best == 94.33027993111271
    info = nb301.describe("cifar10", "valid_accuracy")
    assert (info.direction, info.unit, info.default_budget) == ("max", "%", 100)


def test_nb301_9x_tasks_equal_zip(nb301, data_root):
    with zipfile.ZipFile(data_root / "naslib-zc-subsets/run_results_benchmarks_9x_all.zip") as zf:
        for task in ("ninapro", "scifar100", "svhn"):
            for proxy in ("synflow", "zen", "flops"):
                recs = json.loads(zf.read(f"{proxy}/benchmark--nasbench301--{task}--0.json"))
                archs = [
                    _naive_string([[(NASLIB_OPS[o], i) for i, o in c] for c in ast.literal_eval(r["arch"])])
                    for r in recs
                ]
                metric = "flops" if proxy == "flops" else f"zc/{proxy}"
                assert np.array_equal(
                    nb301.query(archs, task, metric), [r[proxy]["score"] for r in recs]
                )
                assert np.array_equal(
                    nb301.query(archs, task, "valid_accuracy"), [r["val_accuracy"] for r in recs]
                )
            assert np.isfinite(nb301.values(task, "valid_accuracy")).sum() == 199
            assert np.isnan(nb301.values(task, "valid_accuracy")[:500]).all()


def test_nb301_archs_are_distinct_functions(nb301):
    assert len({SPACE.canonical_hash(a) for a in nb301.archs}) == 699


def test_naslib_zc_tasks_store_nb201(data_root):
    """The NB201 part of the same zip: 199 cells, NASLib tuples in NASLib's op/edge order."""
    import nasbench
    from nasbench.spaces.nb201 import SPACE as NB201

    bench = nasbench.load("naslib_zc_tasks")
    assert len(bench) == 199 and bench.datasets == ["ninapro", "scifar100", "svhn"]
    with zipfile.ZipFile(data_root / "naslib-zc-subsets/run_results_benchmarks_9x_all.zip") as zf:
        recs = json.loads(zf.read("nwot/benchmark--nasbench201--scifar100--0.json"))
    archs = [NB201.from_naslib(r["arch"]) for r in recs]
    raw = np.array([r["nwot"]["score"] for r in recs])
    raw[raw == -1e8] = np.nan
    assert np.array_equal(bench.query(archs, "scifar100", "zc/nwot"), raw, equal_nan=True)
    # the two failed cells are the two without an input-to-output path
    failed = {a for a, v in zip(archs, raw) if np.isnan(v)}
    assert failed == {a for a in archs if not NB201.is_connected(a)} and len(failed) == 2
    bench.close()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("Genotype(normal=[], normal_concat=range(10000000), reduce=[], reduce_concat=[2, 3, 4, 5])",
         "not the concat list"),  # refused without building a list of 10 million ints
        ("Genotype(" + "[" * 3000 + "]" * 3000 + ")", "is 6,010 characters; a genotype string has"),
        ("Genotype(" + "[" * 900 + "]" * 900 + ")", "is not of the form"),  # deep but short
        ("Genotype(normal=[('a', 1" + "0" * 3000 + ")])", "missing field"),  # a 3,001-digit int
        ("x" * 1_000_000, "1,000,000 characters"),
    ],
)
def test_hostile_genotype_strings_are_clean_value_errors(text, needle):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SyntaxWarning from odd escapes must not leak either
        with pytest.raises(ValueError, match=needle) as err:
            SPACE.parse(text)
    assert len(str(err.value)) < 400  # the input is quoted, not repeated


def test_odd_escapes_raise_no_syntax_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError):
            SPACE.parse('Genotype(normal="\\d", normal_concat=[2, 3, 4, 5], reduce=[], reduce_concat=[2, 3, 4, 5])')
