"""Hostile input keeps getting clean errors: generated inputs over the API and the CLI.

Each property names a class of defect the issue tracker once listed (raw tracebacks, bytes read as
row numbers, parsers that run out of memory or recursion, messages that repeat a megabyte of
input). Examples are few and every test has a deadline, so the whole file runs in seconds.
"""

from __future__ import annotations

import bz2
import contextlib
import io
import pickle
import struct
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nasbench
from nasbench import cli, spaces

FAST = settings(max_examples=40, deadline=2000, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

#: things a caller might pass where an architecture belongs
ARCH_LIKE = st.one_of(
    st.text(max_size=120),
    st.binary(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.booleans(),
    st.complex_numbers(),
    st.none(),
    st.lists(st.one_of(st.text(max_size=20), st.integers(-3, 16000), st.booleans(), st.binary(max_size=5)),
             max_size=4),
    st.sampled_from(["6111", "#1", "|nor_conv_3x3~0|", "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|x",
                     "[" * 3000, "x" * 200_000]),
)


def _clean(exc: BaseException) -> bool:
    """A deliberate nasbench error whose message is one line of bounded length."""
    text = str(exc)
    return isinstance(exc, nasbench.NasbenchError) and "\n" not in text and len(text) < 2000


@FAST
@given(arch=ARCH_LIKE)
def test_query_answers_or_raises_a_nasbench_error(nb201, arch):
    try:
        value = nb201.query(arch, "cifar10", "test_accuracy")
    except Exception as exc:  # the property is which exceptions occur
        assert _clean(exc), repr(exc)[:300]
        return
    # only strings, ints and lists of them name archs: anything else answering is a silent
    # reinterpretation (bytes once came back as one row per byte)
    def names_an_arch(a: object) -> bool:
        return isinstance(a, str) or (isinstance(a, int) and not isinstance(a, bool))

    assert names_an_arch(arch) or (isinstance(arch, list) and all(map(names_an_arch, arch)))
    assert isinstance(value, (float, np.ndarray))
    if isinstance(value, np.ndarray):
        assert value.shape == (len(arch),)


@FAST
@given(
    dataset=st.one_of(st.sampled_from(["cifar10", "cifar100", "nope"]), st.text(max_size=30), st.integers()),
    metric=st.one_of(st.sampled_from(["test_accuracy", "params", "zc/synflow"]), st.text(max_size=30),
                     st.lists(st.sampled_from(["test_accuracy", "params", ""]), max_size=3), st.integers()),
    budget=st.one_of(st.none(), st.integers(-5, 300), st.floats(), st.text(max_size=5), st.booleans()),
    seed=st.one_of(st.none(), st.integers(-5, 1000), st.sampled_from(["all", "mean"]), st.floats(), st.booleans()),
)
def test_names_budgets_and_seeds_answer_or_raise_a_nasbench_error(nb201, dataset, metric, budget, seed):
    try:
        nb201.query([0, 6111], dataset, metric, budget=budget, seed=seed)
    except Exception as exc:  # the property is which exceptions occur
        assert _clean(exc), repr(exc)[:300]


@FAST
@given(k=st.one_of(st.integers(-3, 20), st.floats(), st.booleans(), st.text(max_size=3)),
       bound=st.one_of(st.none(), st.floats(), st.integers(), st.text(max_size=3)))
def test_top_filter_sample_answer_or_raise_a_nasbench_error(nb201, k, bound):
    for call in (lambda: nb201.top("cifar10", "test_accuracy", k=k),
                 lambda: nb201.filter("cifar10", "test_accuracy", min=bound),
                 lambda: nb201.sample(k, seed=0),
                 lambda: nb201.find_best("cifar10", "test_accuracy", constraints={"params": bound})):
        try:
            call()
        except Exception as exc:  # the property is which exceptions occur
            assert _clean(exc), repr(exc)[:300]


HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.builds(lambda n, s: s * n, st.integers(1, 3000), st.sampled_from(["[", "(", "{", '{"a":', "\\", "1"])),
    st.sampled_from([
        "Genotype(normal=[], normal_concat=range(10000000), reduce=[], reduce_concat=range(2, 6))",
        "Genotype(normal=\"\\d\", normal_concat=[2, 3, 4, 5], reduce=[], reduce_concat=[2, 3, 4, 5])",
        "Genotype(normal=[('a', 1" + "0" * 5000 + ")])",
        '{"h_new_0": {"op": "linear", "input": ["x"]}}',
        "0" * 10_000,
        "|" * 10_000,
    ]),
)


@pytest.mark.parametrize("name", spaces.available())
@settings(max_examples=25, deadline=2000, derandomize=True)
@given(text=HOSTILE_TEXT)
def test_every_space_parser_raises_only_value_errors(name, text):
    space = spaces.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a SyntaxWarning leaking to stderr is a defect too
        try:
            space.parse(text)
        except ValueError as exc:
            assert len(str(exc)) < 2000
        except Warning as warning:  # pragma: no cover - the failure message
            pytest.fail(f"{name} parser warned: {warning!r}")


# -- the command line -----------------------------------------------------------------------------
def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def _assert_clean_exit(code: int, err: str) -> None:
    assert code in (0, 2) and "Traceback" not in err
    if code == 2 and not err.startswith("usage:"):  # argparse prints usage + error itself
        # progress bars may precede it; the error is the one last line
        lines = [line for line in err.splitlines() if line.strip() and "it/s" not in line
                 and "runs/s" not in line and "arch/s" not in line]
        assert len(lines) == 1 and lines[0].startswith("nasbench: error: "), err[:500]
        assert len(lines[0]) < 2200


TOKENS = st.one_of(
    st.sampled_from(["nb201", "nbmacro", "nb_201", "6111", "#11", "#x", "-1", "00000010",
                     "-d", "cifar10", "--dataset", "-m", "test_accuracy", "--metric", "params",
                     "--seed", "all", "1", "1.5", "abc", "1e23", "-b", "200", "12", "--budget",
                     "--json", "--help", "x" * 300]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)


@settings(max_examples=60, deadline=5000, derandomize=True)
@given(command=st.sampled_from(["query", "info", "verify"]), rest=st.lists(TOKENS, max_size=7))
def test_cli_exits_0_or_2_with_one_line_errors(nb201, command, rest):
    code, _, err = _run([command, *rest])
    _assert_clean_exit(code, err)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["query", "nb201", "0", "-d", "cifar10", "--seed", "abc"], "seed must be"),
        (["query", "nb201", "0", "-d", "cifar10", "--seed", "1.5"], "seed must be"),
        (["query", "nb201", "0", "-d", "cifar10", "--seed", "1e23"], "seed must be"),
        (["query", "nb201", "0", "-d", "cifar10", "--budget", "1e23"], "budget must be"),
        (["query", "nbmacro", "#11", "-d", "cifar10"], "no official integer index"),
        (["query", "nb201", "#1x", "-d", "cifar10"], "'#' and digits"),
        (["query", "nb201", "x" * 100_000, "-d", "cifar10"], "chars)"),
    ],
)
def test_cli_bad_values_are_one_line_errors(nb201, argv, needle):
    code, out, err = _run(argv)
    _assert_clean_exit(code, err)
    assert code == 2 and needle in err and out == ""


def test_cli_arch_tokens_mean_the_arch_they_spell(nb201):
    macro = nasbench.load("nbmacro")
    code, out, _ = _run(["query", "nbmacro", "00000010", "-d", "cifar10", "-m", "test_accuracy", "--json"])
    assert code == 0
    import json

    row = json.loads(out)[0]
    assert row["arch"] == "00000010" and row["index"] is None
    assert row["values"]["test_accuracy"] == macro.query("00000010", "cifar10", "test_accuracy")
    code, out, _ = _run(["query", "nb201", "#11", "11", "-d", "cifar10", "-m", "test_accuracy", "--json"])
    assert code == 0 and [r["index"] for r in json.loads(out)] == [11, 11]


def test_cli_bad_output_paths_are_one_line_errors(nb201, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    for out in (str(blocker / "x.csv"), str(tmp_path / ("y" * 300 + ".csv"))):
        code, _, err = _run(["frame", "nb201", "-d", "cifar10", "-m", "params", "--out", out])
        _assert_clean_exit(code, err)
        assert code == 2
    code, _, err = _run(["convert", "nats", str(tmp_path), "--out", str(blocker / "s.h5")])
    _assert_clean_exit(code, err)


def _nats_dir(tmp_path, meta: bytes):
    folder = tmp_path / "NATS-tss-simple"
    folder.mkdir()
    (folder / "meta.pickle.pbz2").write_bytes(meta)
    return folder


@pytest.mark.parametrize(
    ("meta", "needle"),
    [
        (b"not bz2 at all", "not a NATS simple-format file"),
        (bz2.compress(pickle.dumps({"meta_archs": ["|a~0|"]}))[:-20], "not a NATS simple-format file"),
        (bz2.compress(b"cos\nsystem\n(S'echo planted'\ntR."), "refusing"),
        (bz2.compress(pickle.dumps([1, 2, 3])), "no 'meta_archs'"),
    ],
)
def test_convert_nats_on_foreign_files_is_a_one_line_error(tmp_path, meta, needle):
    folder = _nats_dir(tmp_path, meta)
    code, _, err = _run(["convert", "nats", str(folder), "--out", str(tmp_path / "s.h5")])
    _assert_clean_exit(code, err)
    assert code == 2 and needle in err
    assert not (tmp_path / "s.h5").exists()


@pytest.mark.parametrize(
    "payload",
    [np.random.default_rng(0).bytes(4096),
     struct.pack("<Q", 2**63) + b"\0" * 4 + b"x" * 64],
)
def test_convert_tfrecord_on_foreign_bytes_is_a_one_line_error(tmp_path, payload):
    raw = tmp_path / "x.tfrecord"
    raw.write_bytes(payload)
    code, _, err = _run(["convert", "nb101-tfrecord", str(raw), "--out", str(tmp_path / "s.h5")])
    _assert_clean_exit(code, err)
    assert code == 2 and ("CRC" in err or "truncated" in err)
