"""NAS-Bench-101: the space (official hash, canonical form, pruning, validity, encodings), the
tfrecord reader (framing, CRC-32C, protobuf) and the ``nb101`` store, on the real partial tables."""

from __future__ import annotations

import ast
import base64
import json
import struct
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from nasbench.readers import nb101_tfrecord as tfr
from nasbench.spaces import get
from nasbench.spaces.nb101 import OPS, SIZE, SPACE, Cell, module_hash

PARTIAL = "nb101/nasbench-vis-partial"
ZC = "naslib-zc-subsets/zc_nasbench101.json"
# the first row of the partial tables (PROVENANCE: matches NAS-Bench-101)
FIRST_HASH = "00005c142e6f48ac74fdcf73e3439874"
FIRST = (
    "ops:input,conv3x3-bn-relu,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,conv1x1-bn-relu,output"
    "|adj:0100110,0010000,0001001,0000010,0000010,0000001,0000000"
)


@pytest.fixture(scope="module")
def graphs(data_root):
    """The 1,000 rows of data-1k.json that have graphs: (hash, Cell, row dict)."""
    d = json.loads((data_root / PARTIAL / "data-1k.json").read_text())
    out = []
    for i, key in enumerate(d["key"]):
        matrix = [[int(x) for x in row] for row in d["adjacency"][i]]
        out.append((key, Cell.from_spec(matrix, d["operations"][i]), {k: d[k][i] for k in d}))
    return out


@pytest.fixture(scope="module")
def partial(data_root):
    return json.loads((data_root / PARTIAL / "data-20k.json").read_text())


@pytest.fixture(scope="module")
def nb101():
    import nasbench

    bench = nasbench.load("nb101")
    yield bench
    bench.close()


# -- the official hash and canonical form -----------------------------------------------------------
def test_hash_equals_the_partial_tables_keys(graphs):
    assert len(graphs) == 1000
    assert [SPACE.canonical_hash(cell) for _, cell, _ in graphs] == [key for key, _, _ in graphs]
    assert SPACE.canonical_hash(FIRST) == FIRST_HASH


def test_canonical_form_is_the_official_labelling(graphs):
    # the published graphs are the official module_adjacency / module_operations
    assert all(SPACE.canonical_cell(cell) == cell for _, cell, _ in graphs)
    assert SPACE.canonical(graphs[0][1]) == FIRST


def test_parameter_count_matches_the_published_one(graphs):
    assert [SPACE.trainable_parameters(c) for _, c, _ in graphs] == [
        r["trainable_parameters"] for _, _, r in graphs
    ]
    assert SPACE.trainable_parameters(FIRST) == 8_555_530


def test_padded_graphs_are_trimmed_and_pruned_sizes_seen(graphs):
    sizes = defaultdict(int)
    for _, cell, _ in graphs:
        sizes[cell.n_vertices] += 1
    assert sizes == {7: 842, 6: 149, 5: 8, 4: 1}


@pytest.mark.slow
def test_enumeration_and_hash_table():
    # exactly the published count of unique graphs, all hashes distinct
    hashes = SPACE.hashes()
    assert len(hashes) == SIZE == 423_624
    assert len(np.unique(hashes)) == SIZE
    assert SPACE.arch_at(0) == "ops:input,output|adj:01,00"
    rng = np.random.default_rng(0)
    for i in rng.integers(0, SIZE, 200):
        text = SPACE.arch_at(int(i))
        assert SPACE.canonical(text) == text
        assert SPACE.canonical_hash(text) == hashes[i].decode()
        assert SPACE.from_hash(hashes[i].decode()) == text


@pytest.mark.slow
def test_every_partial_hash_is_recovered(partial):
    keys = partial["key"]
    archs = [SPACE.from_hash(k) for k in keys]
    assert len(keys) == len(set(archs)) == 20_001
    assert [SPACE.canonical_hash(a) for a in archs] == keys
    assert [SPACE.trainable_parameters(a) for a in archs] == partial["trainable_parameters"]
    with pytest.raises(ValueError, match="no NB101 cell has module hash"):
        SPACE.from_hash("0" * 32)


# -- parsing, pruning, validity ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("input,output|011,001,000", "must look like 'ops:"),
        ("ops:input,conv3x3-bn-relu,output|adj:011,001", "3 ops but 2 adjacency rows"),
        ("ops:input,conv3x3-bn-relu,output|adj:011,0012,000", "adjacency row 1 is '0012'"),
        ("ops:input,conv5x5,output|adj:011,001,000", "unknown NB101 op 'conv5x5'"),
        ("ops:conv3x3-bn-relu,input,output|adj:011,001,000", "first op must be 'input'"),
        ("ops:input,output,conv3x3-bn-relu|adj:011,001,000", "last op must be 'output'"),
        ("ops:input,conv3x3-bn-relu,output|adj:011,101,000", "edge 1 -> 0 does not go forward"),
        ("ops:input,conv3x3-bn-relu,output|adj:010,000,000", "output cannot be reached"),
        (FIRST_HASH, "is an NB101 module hash"),
        (
            "ops:input,maxpool3x3,maxpool3x3,maxpool3x3,maxpool3x3,maxpool3x3,maxpool3x3,output"
            "|adj:01000000,00100000,00010000,00001000,00000100,00000010,00000001,00000000",
            "8 vertices after pruning; the space allows at most 7",
        ),
        (
            "ops:input,maxpool3x3,maxpool3x3,maxpool3x3,maxpool3x3,output"
            "|adj:011111,001111,000111,000011,000001,000000",
            "15 edges after pruning; the space allows at most 9",
        ),
    ],
)
def test_malformed_strings_name_the_wrong_part(text, complaint):
    with pytest.raises(ValueError, match=complaint.replace("|", r"\|")):
        SPACE.parse(text)


def test_parse_rejects_non_strings():
    with pytest.raises(ValueError, match="is a string"):
        SPACE.parse(7)


def test_pruning_drops_dangling_vertices():
    # vertex 2 only feeds a dead end; vertex 3 is not reachable from the input
    text = "ops:input,conv3x3-bn-relu,maxpool3x3,conv1x1-bn-relu,output|adj:01100,00001,00000,00001,00000"
    cell = SPACE.parse(text)
    assert cell.ops == ("input", "conv3x3-bn-relu", "output")
    assert SPACE.format(cell) == "ops:input,conv3x3-bn-relu,output|adj:010,001,000"
    # pruning happens before the limits are checked, as in the official API
    eight = (
        "ops:input,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,"
        "maxpool3x3,output|adj:01000000,00100000,00010000,00001000,00000100,00000001,00000000,"
        "00000000"
    )
    assert SPACE.parse(eight).n_vertices == 7
    assert SPACE.is_valid(eight) and not SPACE.is_valid("ops:input,output|adj:00,00")


def test_registry():
    assert get("nb101") is SPACE


# -- properties ---------------------------------------------------------------------------------------
@st.composite
def cells(draw) -> Cell:
    """A valid pruned cell: random DAG on 2..7 vertices, pruned, rejected when out of the space."""
    n = draw(st.integers(2, 7))
    bits = draw(st.lists(st.booleans(), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2))
    matrix = np.zeros((n, n), dtype=int)
    matrix[np.triu_indices(n, 1)] = bits
    ops = ["input", *draw(st.lists(st.sampled_from(OPS), min_size=n - 2, max_size=n - 2)), "output"]
    try:
        return Cell.from_spec(matrix, ops)
    except ValueError:
        reject()  # disconnected or out of the space


@st.composite
def relabelled(draw) -> tuple[Cell, Cell, list[int]]:
    """A cell and a random isomorphic relabelling that is still upper-triangular.

    The new order is a random topological order (Kahn's algorithm, random choice among ready
    vertices), so the input stays first and the output last.
    """
    cell = draw(cells())
    n = cell.n_vertices
    indeg = [sum(cell.matrix[i][j] for i in range(n)) for j in range(n)]
    ready, order = [0], []
    while ready:
        v = ready.pop(draw(st.integers(0, len(ready) - 1)))
        order.append(v)
        for w in range(n):
            if cell.matrix[v][w]:
                indeg[w] -= 1
                if indeg[w] == 0:
                    ready.append(w)
    matrix = tuple(tuple(cell.matrix[i][j] for j in order) for i in order)
    return cell, Cell(matrix, tuple(cell.ops[i] for i in order)), order


@settings(max_examples=150, deadline=None)
@given(cells())
def test_format_parse_round_trip(cell):
    text = SPACE.format(cell)
    assert SPACE.parse(text) == cell
    assert SPACE.format(SPACE.parse(text)) == text
    assert SPACE.parse(SPACE.canonical(text)) == SPACE.canonical_cell(cell)


@settings(max_examples=150, deadline=None)
@given(relabelled())
def test_hash_and_canonical_form_invariant_under_relabelling(pair):
    cell, other, order = pair
    assert order[0] == 0 and order[-1] == cell.n_vertices - 1
    assert SPACE.canonical_hash(other) == SPACE.canonical_hash(cell)
    assert SPACE.canonical(other) == SPACE.canonical(cell)
    assert SPACE.to_string(SPACE.format(other)) == SPACE.canonical(cell)
    assert np.array_equal(SPACE.encode(other, "path"), SPACE.encode(cell, "path"))
    assert np.array_equal(SPACE.encode(other, "adjacency"), SPACE.encode(cell, "adjacency"))


@settings(max_examples=60, deadline=None)
@given(cells(), st.permutations(range(5)))
def test_official_hash_invariant_under_any_interior_permutation(cell, perm):
    # hash_module needs no topological order: any relabelling fixing input and output works
    n = cell.n_vertices
    order = [0, *[p + 1 for p in perm if p < n - 2], n - 1]
    m = np.array(cell.matrix)[np.ix_(order, order)]
    assert module_hash(m.tolist(), [cell.labels[i] for i in order]) == SPACE.canonical_hash(cell)


# -- sampling, neighbours, encodings -------------------------------------------------------------------
def test_sample_is_seeded_and_canonical():
    a = SPACE.sample(20, seed=3)
    assert a == SPACE.sample(20, seed=3) and a != SPACE.sample(20, seed=4)
    assert all(SPACE.canonical(s) == s for s in a)


def test_neighbours_are_one_valid_mutation_away():
    nbrs = SPACE.neighbours(FIRST)
    assert len(nbrs) == len(set(nbrs)) and FIRST not in nbrs
    assert all(SPACE.canonical(s) == s for s in nbrs)
    # the 10 op changes never collide with each other or with edge flips of the same cell
    op_changes = [s for s in nbrs if SPACE.parse(s).matrix == SPACE.parse(FIRST).matrix]
    assert len(op_changes) == 10
    # FIRST has 9 edges, so adding one leaves the space; removing each of the 9 prunes to 6
    # distinct cells: 0->1 and 1->2 (both cut off 1, 2, 3: 4 vertices, 4 edges), 0->4 and 4->5
    # (cut off 4: 7 edges), 2->3 and 3->5 (cut off 3: 7 edges), 0->5 and 2->6 (8 edges each), 5->6
    # (cuts off 3, 4, 5: 3 edges); plus the 10 op changes (9 edges)
    edges = sorted(SPACE.parse(s).n_edges for s in nbrs)
    assert edges == [3, 4, 7, 7, 8, 8] + [9] * 10
    assert len(nbrs) == 16


def test_encodings_and_graph():
    tiny = "ops:input,conv3x3-bn-relu,maxpool3x3,output|adj:0111,0001,0001,0000"
    x = SPACE.encode([tiny, FIRST], "adjacency")
    assert x.shape == (2, 36)
    path = SPACE.encode(tiny, "path")
    # paths: input->output (0 ops), input->conv3x3->output, input->maxpool->output
    assert path.shape == (364,) and path.sum() == 3
    assert path[0] == 1 and path[1 + 0] == 1 and path[1 + 2] == 1
    feats, edges = SPACE.to_graph(FIRST)
    assert feats.shape == (7, 5) and edges.shape == (2, 9)
    assert feats.sum() == 7 and feats[0, 0] == 1 and feats[6, 1] == 1
    with pytest.raises(ValueError, match="unknown encoding 'onehot'"):
        SPACE.encode(FIRST, "onehot")


# -- TFRecord: CRC-32C, protobuf, framing -------------------------------------------------------------
def _bitwise_crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_crc32c_known_values():
    # RFC 3720 B.4 test vectors
    assert tfr.crc32c(b"123456789") == 0xE3069283
    assert tfr.crc32c(bytes(32)) == 0x8A9136AA
    assert tfr.crc32c(b"\xff" * 32) == 0x62A8AB43
    assert tfr.crc32c(bytes(range(32))) == 0x46DD794E
    rng = np.random.default_rng(1)
    buffers = [rng.bytes(int(k)) for k in rng.integers(0, 300, 64)] + [b""]
    assert tfr.crc32c_many(buffers).tolist() == [_bitwise_crc32c(b) for b in buffers]


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _double(number: int, value: float) -> bytes:
    return _varint(number << 3 | 1) + struct.pack("<d", value)


def _bytes(number: int, value: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def _evaluation(epoch: float, **fields: float) -> bytes:
    numbers = {"training_time": 2, "train_accuracy": 3, "validation_accuracy": 4, "test_accuracy": 5}
    out = _double(1, epoch)
    for name, value in fields.items():
        out += _double(numbers[name], value)
    return out


def _model_metrics(evals: list[bytes], params: int, total_time: float) -> bytes:
    out = b"".join(_bytes(1, e) for e in evals)
    # an unknown varint field the reader must skip (forward compatibility)
    return out + _varint(2 << 3) + _varint(params) + _double(3, total_time) + _varint(99 << 3) + _varint(5)


def _frame(data: bytes) -> bytes:
    def masked(crc: int) -> int:
        return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF

    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked(_bitwise_crc32c(length))) + data + struct.pack(
        "<I", masked(_bitwise_crc32c(data))
    )


def test_protobuf_parser():
    msg = _model_metrics([_evaluation(0.0), _evaluation(54.0, validation_accuracy=0.5)], 1234, 9.5)
    metrics = tfr.parse_model_metrics(msg)
    assert metrics.trainable_parameters == 1234 and metrics.total_time == 9.5
    assert metrics.final.validation_accuracy == 0.5 and np.isnan(metrics.final.test_accuracy)
    assert tfr.parse_model_metrics(_varint(2 << 3) + _varint(-5)).trainable_parameters == -5
    with pytest.raises(ValueError, match="runs past the message end"):
        tfr.parse_model_metrics(_bytes(1, b"abc")[:-1])
    with pytest.raises(ValueError, match="wire type 3"):
        tfr.parse_fields(_varint(1 << 3 | 3))


N_REAL = 36
REPEAT_OFFSETS = (0.0, -0.004, 0.002)  # repeats 1 and 2 are made-up offsets of the real run


@pytest.fixture(scope="module")
def tfrecord_file(tmp_path_factory, graphs):
    """36 real partial rows in the official layout: 4 budgets x 3 repeats each, in file order."""
    path = tmp_path_factory.mktemp("nb101") / "nasbench_mini.tfrecord"
    rows = graphs[:N_REAL]
    with open(path, "wb") as fh:
        for key, cell, row in rows:
            raw_adjacency = "".join(str(x) for r in cell.matrix for x in r)
            for epochs in (4, 12, 36, 108):
                for offset in REPEAT_OFFSETS:
                    final = {"validation_accuracy": row[f"{epochs}_final_validation_accuracy"] + offset}
                    if epochs == 108:
                        final["training_time"] = row["final_training_time"] + 1000 * offset
                    evals = [
                        _evaluation(0.0, train_accuracy=0.1),
                        _evaluation(epochs / 2, validation_accuracy=0.5),
                        _evaluation(float(epochs), **final),
                    ]
                    metrics = _model_metrics(evals, row["trainable_parameters"], 100.0)
                    record = [key, epochs, raw_adjacency, ",".join(cell.ops),
                              base64.b64encode(metrics).decode()]
                    fh.write(_frame(json.dumps(record).encode()))
    return path


def test_read_tfrecord(tfrecord_file, graphs):
    records = list(tfr.read_tfrecord(tfrecord_file))
    assert len(records) == N_REAL * 4 * 3
    first = records[0]
    key, cell, row = graphs[0]
    assert (first.module_hash, first.epochs, first.repeat) == (key, 4, 0)
    assert first.ops == cell.ops and first.adjacency.tolist() == [list(r) for r in cell.matrix]
    assert first.arch == FIRST
    assert first.metrics.trainable_parameters == row["trainable_parameters"]
    assert len(first.metrics.evaluation_data) == 3
    assert first.metrics.final.validation_accuracy == row["4_final_validation_accuracy"]
    assert [r.repeat for r in records[:3]] == [0, 1, 2]
    assert all(SPACE.canonical_hash((r.adjacency, r.ops)) == r.module_hash for r in records[::12])


def test_convert_tfrecord_to_store(tfrecord_file, graphs, tmp_path):
    import nasbench

    out = tfr.convert_tfrecord(tfrecord_file, tmp_path / "nb101_mini.h5", check_hashes=True,
                               progress=False)
    with nasbench.Benchmark(out) as bench:
        assert bench.name == "nb101" and len(bench) == N_REAL
        keys = [k for k, _, _ in graphs[:N_REAL]]
        rows = [r for _, _, r in graphs[:N_REAL]]
        assert bench.archs == [SPACE.canonical(c) for _, c, _ in graphs[:N_REAL]]
        for b in (4, 12, 36, 108):
            real = np.array([r[f"{b}_final_validation_accuracy"] for r in rows]) * 100
            per_seed = bench.query(keys, "cifar10", "valid_accuracy", budget=b, seed="all")
            assert per_seed.shape == (N_REAL, 3)
            np.testing.assert_allclose(per_seed[:, 0], real, rtol=0, atol=1e-12)
            np.testing.assert_allclose(
                per_seed - per_seed[:, :1], np.tile(np.array(REPEAT_OFFSETS) * 100, (N_REAL, 1)),
                atol=1e-9,
            )
            np.testing.assert_allclose(
                bench.query(keys, "cifar10", "valid_accuracy", budget=b),
                real + np.mean(REPEAT_OFFSETS) * 100, atol=1e-9,
            )
            # test accuracy is absent from these records: NaN, not zero
            assert np.isnan(bench.query(keys, "cifar10", "test_accuracy", budget=b)).all()
        np.testing.assert_allclose(
            bench.query(keys, "cifar10", "train_time", budget=108, seed=0),
            [r["final_training_time"] for r in rows],
        )
        assert np.isnan(bench.values("cifar10", "train_time", budget=4)).all()
        assert bench.query(keys, "cifar10", "params").tolist() == [
            r["trainable_parameters"] / 1e6 for r in rows
        ]


def test_cli_converts_a_tfrecord(tfrecord_file, tmp_path, capsys):
    from nasbench import cli

    out = tmp_path / "via_cli.h5"
    assert cli.main(["convert", "nb101-tfrecord", str(tfrecord_file), "--out", str(out)]) == 0
    assert f"{N_REAL:,} archs" in capsys.readouterr().out
    assert cli.main(["convert", "nb101-tfrecord", str(tfrecord_file), str(tfrecord_file),
                     "--out", str(out)]) == 2
    assert "takes one .tfrecord file" in capsys.readouterr().err


def test_corrupt_and_truncated_files_are_refused(tfrecord_file, tmp_path):
    raw = bytearray(tfrecord_file.read_bytes())
    bad = tmp_path / "bad.tfrecord"
    raw[100] ^= 0x01  # inside the first record's data
    bad.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="record 0 at byte 0: data CRC mismatch"):
        list(tfr.read_tfrecord(bad))
    short = tmp_path / "short.tfrecord"
    short.write_bytes(tfrecord_file.read_bytes()[:-10])
    with pytest.raises(ValueError, match=f"record {N_REAL * 12 - 1} .* is truncated"):
        list(tfr.read_tfrecord(short))


# -- the nb101 store -------------------------------------------------------------------------------
@pytest.mark.slow
def test_store_rows_and_partial_values(nb101, partial):
    assert len(nb101) == 20_276 and not nb101.catalog().empty
    # rows by hash: one normalisation pass (hash -> canonical string), then exact lookups
    keys = [SPACE.to_string(k) for k in partial["key"]]
    assert sorted(partial["key"]) == partial["key"]
    np.testing.assert_array_equal(
        nb101.query(partial["key"][:500], "cifar10", "valid_accuracy"),
        nb101.query(keys[:500], "cifar10", "valid_accuracy"),
    )
    for b in (4, 12, 36, 108):
        np.testing.assert_array_equal(
            nb101.query(keys, "cifar10", "valid_accuracy", budget=b),
            np.asarray(partial[f"{b}_final_validation_accuracy"]) * 100,
        )
    np.testing.assert_array_equal(
        nb101.query(keys, "cifar10", "train_time", budget=108), partial["final_training_time"]
    )
    np.testing.assert_array_equal(
        np.rint(nb101.query(keys, "cifar10", "params") * 1e6), partial["trainable_parameters"]
    )
    assert nb101.describe("cifar10", "valid_accuracy").measured == 20_001
    assert nb101.query(FIRST_HASH, "cifar10", "valid_accuracy") == pytest.approx(93.04887652397156)


@pytest.mark.slow
def test_store_answers_any_labelling(nb101, graphs):
    key, cell, _ = graphs[0]
    # FIRST with interior vertices 3 and 4 swapped (both feed only vertex 5): same cell,
    # another labelling
    order = [0, 1, 2, 4, 3, 5, 6]
    swapped = SPACE.format(Cell(
        tuple(tuple(cell.matrix[i][j] for j in order) for i in order),
        tuple(cell.ops[i] for i in order),
    ))
    assert SPACE.canonical(swapped) == FIRST != swapped
    assert nb101.row(swapped) == nb101.row(FIRST) == nb101.row(key)
    assert nb101.archs[nb101.row(key)] == FIRST


@pytest.mark.slow
def test_store_zero_cost_subset(nb101, data_root):
    table = json.loads((data_root / ZC).read_text())["nasbench101"]["cifar10"]
    by_hash: dict[str, list[dict]] = defaultdict(list)
    for key, rec in table.items():
        values = ast.literal_eval(key)
        ops = [("input", "output", "maxpool3x3", "conv1x1-bn-relu", "conv3x3-bn-relu")[i] for i in values[49:]]
        cell = Cell.from_spec(np.array(values[:49]).reshape(7, 7), ops)
        by_hash[SPACE.canonical_hash(cell)].append(rec)
    assert len(table) == 500 and len(by_hash) == 292
    assert max(len(v) for v in by_hash.values()) == 55
    hashes = sorted(by_hash)
    for proxy in ("synflow", "snip", "jacov", "flops"):
        np.testing.assert_allclose(
            nb101.query(hashes, "cifar10", f"zc/{proxy}"),
            [np.mean([r[proxy] for r in by_hash[h]]) for h in hashes],
        )
    acc = nb101.query(hashes, "cifar10", "valid_accuracy_naslib")
    np.testing.assert_allclose(acc, [np.mean([r["val_accuracy"] for r in by_hash[h]]) for h in hashes])
    assert np.isfinite(nb101.values("cifar10", "zc/synflow")).sum() == 292
    # the cell drawn 55 times shows NASLib's 3 distinct 108-epoch runs; the partial has one of them
    draws = sorted({round(r["val_accuracy"], 6) for r in by_hash["043721b9c7fe8c5fad811d47d83132ec"]})
    assert len(draws) == 3
    single = nb101.query("043721b9c7fe8c5fad811d47d83132ec", "cifar10", "valid_accuracy")
    assert round(single, 6) in draws
