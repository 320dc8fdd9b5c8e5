"""Stores and raw files that changed after they were written: always an error, never a value.

Classes of defect closed here: a flipped byte anywhere in a store (checksums per array, a digest of
the arch list and metadata), a store no build can read (0 bytes, an older format) being called
"up to date", temporary files of killed builds left forever, and a pinned pickle changed after
its check being unpickled.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import types

import h5py
import numpy as np
import pytest

import nasbench
from nasbench import cli
from nasbench.errors import ChecksumError, StoreError
from nasbench.sources import Source, load_pickle, read_pinned
from nasbench.store import Column, remove_stale_temporaries, verify_store, write_store

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCHS = ["|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
         "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|"]


def _store(path):
    columns = [Column("c", "acc", [91.5, 92.25], unit="%", split="test", budget=200, direction="max"),
               Column("c", "acc", np.linspace(0, 1, 2 * 3000).reshape(2, 3000), unit="%",
                      split="test", budget=200, aggregation="curve", direction="max")]
    return write_store(path, name="toy", space="nb201", archs=ARCHS, columns=columns)


def _flip(path, offset):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _offsets_of(path, payload: bytes):
    data = path.read_bytes()
    at = data.find(payload)
    assert at >= 0
    return at


# -- flipped bytes --------------------------------------------------------------------------------
def test_a_flipped_byte_in_an_array_is_a_store_error_naming_rebuild(tmp_path):
    path = _store(tmp_path / "toy.h5")
    _flip(path, _offsets_of(path, np.float64(92.25).tobytes()))
    with nasbench.Benchmark(path) as bench:  # opening reads only the header: still fine
        with pytest.raises(StoreError, match=r"store 'toy' .* corrupt: array /c/acc@200 .*nasbench build toy"):
            bench.query(0, "c", "acc")
    with pytest.raises(StoreError, match="/c/acc@200"):
        verify_store(path)


def test_a_flipped_byte_in_an_arch_string_fails_on_open(tmp_path):
    path = _store(tmp_path / "toy.h5")
    data = path.read_bytes()
    at = data.find(b"skip_connect~0")
    data = data[:at] + b"skip_connecx~0" + data[at + 14:]
    path.write_bytes(data)
    with pytest.raises(StoreError, match="corrupt|checksum|truncated"):
        nasbench.Benchmark(path)


def test_metadata_edited_without_the_digest_fails_on_open(tmp_path):
    path = _store(tmp_path / "toy.h5")
    with h5py.File(path, "r+") as fh:  # a crafted store: the catalog says another unit
        fh.attrs["catalog"] = fh.attrs["catalog"].replace('"unit": "%"', '"unit": "ms"')
    with pytest.raises(StoreError, match="differ from the digest"):
        nasbench.Benchmark(path)


def test_random_flips_never_change_a_value_silently(tmp_path):
    """Every flip either leaves every answer equal or raises StoreError (never another value)."""
    clean = _store(tmp_path / "clean.h5")
    with nasbench.Benchmark(clean) as bench:
        expected = (bench.archs, bench.values("c", "acc").copy(), bench.curve([0, 1], "c", "acc"))
    size = clean.stat().st_size
    rng = np.random.default_rng(0)
    outcomes = {"same": 0, "error": 0}
    for i, offset in enumerate(rng.integers(0, size, 60)):
        path = tmp_path / f"flip{i}.h5"
        shutil.copyfile(clean, path)
        _flip(path, int(offset))
        try:
            with nasbench.Benchmark(path) as bench:
                got = (bench.archs, bench.values("c", "acc"), bench.curve([0, 1], "c", "acc"))
        except StoreError:
            outcomes["error"] += 1
            continue
        assert got[0] == expected[0]
        np.testing.assert_array_equal(got[1], expected[1])
        np.testing.assert_array_equal(got[2], expected[2])
        outcomes["same"] += 1
    assert outcomes["error"] > 0


def test_verify_command_checks_every_store_named(tmp_path, capsys):
    good = _store(tmp_path / "good.h5")
    bad = _store(tmp_path / "bad.h5")
    _flip(bad, _offsets_of(bad, np.float64(91.5).tobytes()))
    assert cli.main(["verify", str(good)]) == 0
    assert "ok (2 arrays" in capsys.readouterr().out
    assert cli.main(["verify", str(good), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert "good.h5: ok" in out and "bad.h5: FAILED" in out
    assert err.count("\n") == 1 and "nasbench build bad" in err


def test_verify_names_an_unknown_or_unbuilt_benchmark(tmp_path, monkeypatch, capsys):
    # both said "store file ... does not exist", as if a path had been given
    monkeypatch.setenv("NASBENCH_STORES", str(tmp_path))
    assert cli.main(["verify", "nb999"]) == 2
    assert "unknown benchmark 'nb999'; known: " in capsys.readouterr().err
    assert cli.main(["verify", "nb201"]) == 2
    err = capsys.readouterr().err
    assert "nb201 is not built" in err and "run 'nasbench build nb201'" in err


# -- unreadable stores and interrupted builds ------------------------------------------------------
def test_old_format_and_empty_stores_say_rebuild(tmp_path):
    path = _store(tmp_path / "toy.h5")
    with h5py.File(path, "r+") as fh:
        fh.attrs["format_version"] = 1
    with pytest.raises(StoreError, match="format version 1.*rebuild with `nasbench build toy`"):
        nasbench.Benchmark(path)
    empty = tmp_path / "nb201.h5"
    empty.write_bytes(b"")
    with pytest.raises(StoreError, match="nasbench build nb201"):
        nasbench.Benchmark(empty)


def test_build_rebuilds_an_empty_store_and_removes_dead_temporaries(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("NASBENCH_STORES", str(tmp_path))
    store = tmp_path / "nbmacro.h5"
    store.write_bytes(b"")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that no longer runs, as after kill -9
    stale = tmp_path / f"nbmacro.h5.tmp-{dead.pid}"
    stale.write_bytes(b"half a store")
    alive = tmp_path / f"nbmacro.h5.tmp-{os.getpid()}-other"  # not ours to judge: kept
    alive.write_bytes(b"x")
    assert cli.main(["build", "nbmacro"]) == 0
    out = capsys.readouterr().out
    assert "fails `nasbench verify`" in out and "built" in out and "removed" in out
    assert not stale.exists() and alive.exists()
    with nasbench.Benchmark(store) as bench:
        assert len(bench) == 6561
    assert cli.main(["build", "nbmacro"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_remove_stale_temporaries_keeps_live_writers(tmp_path):
    target = tmp_path / "s.h5"
    mine = tmp_path / f"s.h5.tmp-{os.getpid()}"
    mine.write_bytes(b"")
    assert remove_stale_temporaries(target) == [] and mine.exists()


# -- pinned pickles ---------------------------------------------------------------------------------
@pytest.fixture
def pwn(monkeypatch):
    """A module whose function records calls: a pickle calling it proves it was unpickled."""
    calls = []
    mod = types.ModuleType("nasbench_test_pwn")
    mod.hit = lambda *args: calls.append(args)
    monkeypatch.setitem(sys.modules, "nasbench_test_pwn", mod)
    return calls


def _same_size_evil(good: bytes) -> bytes:
    head = b"cnasbench_test_pwn\nhit\n(S'"
    tail = b"'\ntR."
    pad = len(good) - len(head) - len(tail)
    assert pad > 0
    return head + b"x" * pad + tail


def test_a_pickle_edited_after_its_check_is_never_unpickled(tmp_path, pwn):
    good = pickle.dumps({"table": list(range(40))}, protocol=0)
    path = tmp_path / "raw" / "t.p"
    path.parent.mkdir()
    path.write_bytes(good)
    src = Source(path="raw/t.p", sha256=hashlib.sha256(good).hexdigest())
    checked = src.verified_path(tmp_path)
    assert load_pickle(checked) == {"table": list(range(40))}
    stat = path.stat()
    evil = _same_size_evil(good)
    path.write_bytes(evil)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, mtime restored
    with pytest.raises(ChecksumError, match=src.sha256):
        load_pickle(checked)
    with pytest.raises(ChecksumError):  # the cached digest of the old file is not reused either
        src.verified_path(tmp_path)
    assert pwn == []
    pickle.loads(evil)  # the payload does run when unpickled: the check above is what stops it
    assert len(pwn) == 1


def test_read_pinned_needs_a_pin(tmp_path):
    path = tmp_path / "x.p"
    path.write_bytes(b"data")
    with pytest.raises(ChecksumError, match="no sha256 pin"):
        read_pinned(path)
    assert read_pinned(path, hashlib.sha256(b"data").hexdigest()) == b"data"


@pytest.mark.parametrize(
    "catalog",
    ['[{"foo": 1}]', "not json", '{"a": 1}', '[{"path": "/c/acc@200", "dataset": "c", "metric": "acc", '
     '"unit": "%", "budget": "two hundred", "aggregation": "mean", "shape": "x"}]',
     '[{"path": "/nowhere", "dataset": "c", "metric": "acc", "unit": "%", "budget": 200, '
     '"aggregation": "mean", "shape": [2]}]'],
)
def test_a_crafted_catalog_with_a_matching_digest_is_a_store_error(tmp_path, catalog):
    """Someone who rewrites the digest too gets no traceback and no wrong value: a StoreError."""
    from nasbench.store import _digest

    path = _store(tmp_path / "toy.h5")
    with h5py.File(path, "r+") as fh:
        fh.attrs["catalog"] = catalog
        attrs = {k: fh.attrs[k] for k in fh.attrs}
        fh.attrs["digest"] = _digest(fh["archs"][()].tobytes(), attrs)
    try:
        with nasbench.Benchmark(path) as bench:
            for dataset in bench.datasets:
                for metric in bench.metrics(dataset):
                    bench.query(0, dataset, metric)
    except StoreError as exc:
        assert "toy" in str(exc)
    else:
        pytest.fail("a crafted catalog was read as data")


# -- the derived-table cache -------------------------------------------------------------------------
def test_a_damaged_cache_file_is_recomputed_never_believed(monkeypatch, tmp_path):
    from nasbench.cache import cache_path, cached

    monkeypatch.setenv("NASBENCH_STORES", str(tmp_path))
    calls = []

    def compute():
        calls.append(1)
        return np.arange(1000, dtype=np.int64)

    first = cached("table", "k1", compute)
    again = cached("table", "k1", compute)
    np.testing.assert_array_equal(first, again)
    assert len(calls) == 1  # the second came from the file
    path = cache_path("table", "k1")
    with np.load(path) as saved:
        values, digest = saved["values"].copy(), saved["sha256"]
    values[7] = -1  # a wrong table whose stored digest no longer matches
    np.savez(path, values=values, sha256=digest)
    np.testing.assert_array_equal(cached("table", "k1", compute), np.arange(1000))
    assert len(calls) == 2
    path.write_bytes(b"garbage")
    np.testing.assert_array_equal(cached("table", "k1", compute), np.arange(1000))
    assert len(calls) == 3
    cached("table", "k2", compute)  # another key: another table
    assert len(calls) == 4


def test_build_rebuilds_a_store_with_a_damaged_array(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("NASBENCH_STORES", str(tmp_path))
    assert cli.main(["build", "nbmacro"]) == 0
    store = tmp_path / "nbmacro.h5"
    with nasbench.Benchmark(store) as bench:
        value = bench.values("cifar10", "test_accuracy")[100]
    with h5py.File(store, "r") as fh:  # the array is compressed: damage its first chunk's bytes
        chunk = fh["cifar10/test_accuracy"].id.get_chunk_info(0)
    _flip(store, chunk.byte_offset + chunk.size // 2)  # header intact, array damaged
    capsys.readouterr()
    assert cli.main(["build", "nbmacro"]) == 0
    assert "fails `nasbench verify`" in capsys.readouterr().out
    with nasbench.Benchmark(store) as bench:
        assert bench.values("cifar10", "test_accuracy")[100] == value


def test_build_rebuilds_a_store_whose_recipe_reads_other_files(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("NASBENCH_STORES", str(tmp_path))
    assert cli.main(["build", "nbmacro"]) == 0
    assert nasbench.rebuild_reason("nbmacro") == ""
    store = tmp_path / "nbmacro.h5"
    from nasbench.store import _digest

    with h5py.File(store, "r+") as fh:  # as if built from an older version of the raw file
        fh.attrs["sources"] = fh.attrs["sources"].replace('"sha256": "', '"sha256": "0', 1)
        attrs = {k: fh.attrs[k] for k in fh.attrs}
        fh.attrs["digest"] = _digest(fh["archs"][()].tobytes(), attrs)
    assert nasbench.rebuild_reason("nbmacro") == "its recipe reads other raw files now"
    capsys.readouterr()
    assert cli.main(["build", "nbmacro"]) == 0
    assert "reads other raw files now; rebuilding" in capsys.readouterr().out
    assert nasbench.rebuild_reason("nbmacro") == ""


def test_a_store_built_by_other_code_is_flagged_then_rebuilt(monkeypatch, tmp_path, capsys):
    from nasbench.recipes import base

    monkeypatch.setenv("NASBENCH_STORES", str(tmp_path))
    assert cli.main(["build", "nbmacro"]) == 0
    assert nasbench.rebuild_reason("nbmacro") == ""
    # as if a recipe, reader or space were edited after the build
    today = {**base.code_provenance(), "sha256": "0" * 64}
    monkeypatch.setattr(base, "code_provenance", lambda: today)
    assert nasbench.rebuild_reason("nbmacro") == "the code that builds it changed"
    with pytest.warns(nasbench.StaleStoreWarning, match="`nasbench build nbmacro` rebuilds it"):
        nasbench.load("nbmacro").close()  # a raw-data store: said, not rebuilt behind the reader
    capsys.readouterr()
    assert cli.main(["build", "nbmacro"]) == 0
    assert "the code that builds it changed; rebuilding" in capsys.readouterr().out
    assert nasbench.rebuild_reason("nbmacro") == ""


def test_the_code_digest_ignores_prose_only():
    from nasbench.recipes.base import _code_of

    a = '"""Reads X."""\ndef f():\n    """Doc."""\n    return 1  # one\n'
    assert _code_of(a) == _code_of('"""Reads X and Y."""\ndef f():\n    """Other."""\n    return 1\n')
    assert _code_of(a) != _code_of(a.replace("return 1", "return 2"))


def test_a_cached_table_that_fails_its_spot_check_is_recomputed(monkeypatch, tmp_path):
    from nasbench.cache import cached

    monkeypatch.setenv("NASBENCH_STORES", str(tmp_path))
    cached("t", "k", lambda: np.zeros(10))  # as left by code that computed something else
    fresh = cached("t", "k", lambda: np.ones(10), check=lambda v: bool((v == 1).all()))
    np.testing.assert_array_equal(fresh, np.ones(10))
    np.testing.assert_array_equal(cached("t", "k", lambda: np.full(10, 7.0)), np.ones(10))
