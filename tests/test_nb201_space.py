"""The NB201 space: parsing, official index, isomorphism classes, sampling, encodings."""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nasbench.spaces import get
from nasbench.spaces.nb201 import EDGES, OPS, SPACE, Cell

ARCH1 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"

cells = st.tuples(*[st.sampled_from(OPS)] * len(EDGES)).map(Cell)


@given(cells)
def test_format_parse_round_trip(cell):
    text = SPACE.format(cell)
    assert SPACE.parse(text) == cell
    assert SPACE.format(SPACE.parse(text)) == text


@given(cells)
def test_naslib_tuple_round_trip(cell):
    assert SPACE.from_naslib(SPACE.to_naslib(cell)) == str(cell)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("|nor_conv_3x3~0|+|none~0|none~1|", "2 node groups"),
        ("|nor_conv_3x3~0|+|none~0|+|none~0|none~1|none~2|", "node 2 has 1 input edges"),
        ("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown op 'conv'"),
        ("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "should be '<op>~0'"),
        ("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "must start and end with '|'"),
        ("", "node groups"),
    ],
)
def test_malformed_strings_name_the_wrong_part(text, complaint):
    with pytest.raises(ValueError, match=complaint.replace("|", r"\|").replace("(", r"\(")):
        SPACE.parse(text)


def test_parse_rejects_non_strings():
    with pytest.raises(ValueError, match="is a string"):
        SPACE.parse(42)


def test_registry():
    assert get("nb201") is SPACE
    with pytest.raises(KeyError, match="unknown search space 'nb999'; known: .*nb201"):
        get("nb999")


def test_official_index_order(data_root):
    meta = json.loads((data_root / "nb201/calibration-study-meta/meta.json").read_text())["ids"]
    assert SPACE.size == 15625
    assert len(SPACE.official_order) == 15625
    for i in (0, 1, 6111, 15624):
        assert SPACE.arch_at(i) == meta[str(i)]["nb201-string"]
        assert SPACE.index(meta[str(i)]["nb201-string"]) == i
    assert SPACE.index(ARCH1) == 1
    assert SPACE.index(SPACE.parse(ARCH1)) == 1
    with pytest.raises(IndexError, match="0 .. 15624"):
        SPACE.arch_at(15625)


def test_isomorphism_classes_equal_the_nats_map(data_root):
    """6,466 classes, and the very same partition (and representatives) as the official map."""
    meta = json.loads((data_root / "nb201/calibration-study-meta/meta.json").read_text())["ids"]
    ours: dict[str, set[int]] = defaultdict(set)
    for i, arch in enumerate(SPACE.official_order):
        ours[SPACE.canonical_hash(arch)].add(i)
    assert len(ours) == 6466
    theirs: dict[str, set[int]] = defaultdict(set)
    for key, value in meta.items():
        theirs[value["isomorph"]].add(int(key))
    assert {frozenset(c) for c in ours.values()} == {frozenset(c) for c in theirs.values()}
    for i in range(0, 15625, 97):
        assert SPACE.index(SPACE.canonical(SPACE.arch_at(i))) == int(meta[str(i)]["isomorph"])


def test_isomorphic_examples():
    # node 1 = skip(x0) = x0, so edges leaving nodes 0 and 1 are interchangeable
    a = "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|avg_pool_3x3~1|avg_pool_3x3~2|"
    b = "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|avg_pool_3x3~0|skip_connect~1|avg_pool_3x3~2|"
    c = "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|avg_pool_3x3~0|nor_conv_1x1~1|avg_pool_3x3~2|"
    assert SPACE.canonical_hash(a) == SPACE.canonical_hash(b) != SPACE.canonical_hash(c)
    assert SPACE.canonical(a) == SPACE.canonical(b)


def test_sample_is_seeded_and_valid():
    first = SPACE.sample(50, seed=3)
    assert first == SPACE.sample(50, seed=3)
    assert first != SPACE.sample(50, seed=4)
    assert all(SPACE.is_valid(a) for a in first)


def test_neighbours_differ_in_exactly_one_edge():
    nbrs = SPACE.neighbours(ARCH1)
    assert len(nbrs) == 24 == len(set(nbrs))
    base = SPACE.parse(ARCH1).ops
    for n in nbrs:
        assert sum(x != y for x, y in zip(base, SPACE.parse(n).ops)) == 1


def test_encodings():
    archs = [ARCH1, SPACE.arch_at(0)]
    onehot = SPACE.encode(archs)
    assert onehot.shape == (2, 30) and (onehot.sum(axis=1) == 6).all()
    assert SPACE.encode(ARCH1, "ordinal").tolist() == [3, 3, 4, 1, 3, 1]
    # ARCH1's paths: 0->3 skip; 0->1->3 conv3,conv3; 0->2->3 conv3,skip; 0->1->2->3 conv3,avg,skip
    assert SPACE.encode(ARCH1, "path").sum() == 4
    disconnected = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
    assert SPACE.encode(disconnected, "path").sum() == 0
    assert SPACE.encode(disconnected, "adjacency").sum() == 0
    assert not SPACE.is_connected(disconnected) and SPACE.is_connected(ARCH1)
    with pytest.raises(ValueError, match="unknown encoding 'bogus'.*onehot"):
        SPACE.encode(archs, "bogus")


def test_graph_form():
    x, edge_index = SPACE.to_graph(ARCH1)
    assert x.shape == (8, 7) and (x.sum(axis=1) == 1).all()
    assert edge_index.shape == (2, 10) and edge_index.dtype == np.int64
    # ops are on vertices 1..6 in string order
    assert x[1].argmax() == 2 + OPS.index("nor_conv_3x3")


@pytest.mark.parametrize(
    ("index", "classes", "resolution", "params", "flops"),
    [  # the official NATS-Bench records of archs 0, 11, 284 (nats-bench-official)
        (0, 10, 32, 0.129306, 15.64737),
        (0, 100, 32, 0.135156, 15.65322),
        (0, 120, 16, 0.136456, 3.91948),
        (11, 10, 32, 0.802426, 113.95137),
        (11, 120, 16, 0.809576, 28.49548),
        (284, 100, 32, 0.107156, 11.72106),
        (284, 120, 16, 0.108456, 2.93644),
    ],
)
def test_params_and_flops_equal_the_official_records(index, classes, resolution, params, flops):
    assert SPACE.params(index, classes) == pytest.approx(params, abs=5e-7)
    assert SPACE.flops(index, classes, resolution) == pytest.approx(flops, abs=5e-6)


def test_public_capabilities_other_packages_read():
    """What predictors and network builders use instead of private names."""
    from nasbench.spaces.base import SearchSpace

    class Bare(SearchSpace):  # a space that implements only the abstract methods
        name = "bare"

        def parse(self, text):
            return text

        def format(self, arch):
            return str(arch)

        def canonical(self, arch):
            return str(arch)

        def sample(self, n, seed=None):
            return ["a"] * n

        def encode(self, archs, encoding=None):
            return np.zeros((1, 1))

    assert SPACE.has_graph and not Bare().has_graph
    assert SPACE.has_official_index and not Bare().has_official_index
    assert SPACE.check_encoding(None) == SPACE.encodings[0] == "onehot"
    assert SPACE.check_encoding("path") == "path"
    with pytest.raises(ValueError, match="unknown encoding 'paths' for the nb201 space; use one of onehot"):
        SPACE.check_encoding("paths")
    with pytest.raises(ValueError, match="longer than any"):
        SPACE.parse("|" * 200_000)
