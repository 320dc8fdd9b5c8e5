"""The ``nasbench`` command: list, inspect, query, export, build and convert benchmark stores.

Usage::

    nasbench list                                   # every benchmark nasbench can build
    nasbench info nb201                             # datasets, metrics (unit, split, budgets), sources
    nasbench query nb201 6111 --dataset cifar10 --metric test_accuracy
    nasbench query nb201 6111 0 --dataset cifar10 --seed all --json
    nasbench frame nb201 --dataset cifar100 --out c100.parquet      # or .csv
    nasbench build nb201 [--force]                  # or: nasbench build --all
    nasbench convert nats NATS-tss-v1_0-3ffb9-simple/ --out nats_tss.h5
    nasbench sources                                # every pinned raw file (data/SOURCES.md)
    nasbench verify nb201 | --all                   # check every byte of stores against their checksums
    nasbench evaluate ...                           # the predictors' protocol (predictors.cli)

``NAME`` is a benchmark name (``nasbench list``) or the path of a store file (``.h5``), e.g. one
written by ``convert`` (``nasbench.is_store_path`` decides). An ``ARCH`` is the benchmark's arch
string or an official index: a token that parses as an architecture of the benchmark's space *is*
that architecture (NAS-Bench-Macro's ``00000010``); any other all-digit token is an official index;
``#N`` is always the official index N (``#11``), for the rare token that is both. Benchmarks
without an official index refuse indices. ``info``, ``query`` and ``frame`` build a missing store
first; ``query`` and ``info`` print the budget each value comes from.

Predictor-side commands (``evaluate``, ``proxies``, ``build-bank``, ``reproduce``) live in the
``predictors`` package: ``PREDICTOR_COMMANDS`` maps each to a module and function, imported only
when that command runs, and the rest of the command line is handed to it.

Every error a user can cause (unknown benchmark, dataset, metric or architecture, a malformed arch
string, a missing file) is printed as one line, ``nasbench: error: <message>``, with exit code 2;
the messages name what exists. Progress bars go to stderr, results to stdout.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Sequence, Set
from pathlib import Path
from typing import Any

from nasbench.errors import quote

PROG = "nasbench"
#: what ``frame`` can write, by file extension
FRAME_FORMATS = (".csv", ".parquet")
#: above this many metrics, ``query`` prints one row per metric instead of one per arch
WIDE_LIMIT = 4


#: predictor-side commands: name -> (module, function, one-line help); the module is imported only
#: when its command runs, and ``function(argv: list[str]) -> int`` receives the rest of the argv
PREDICTOR_COMMANDS: dict[str, tuple[str, str, str]] = {
    "evaluate": ("predictors.cli", "main",
                 "rank predictors under the seeded protocol (predictors x train sizes x seeds)"),
    "proxies": ("predictors.zero_cost.cli", "main",
                "compute zero-cost proxies on the networks of a search space"),
    "build-bank": ("predictors.bank", "main",
                   "train networks and record accuracy and calibration per epoch"),
    "reproduce": ("predictors.reproduce.cli", "main",
                  "reproduce a published study's tables side by side with its numbers"),
}


class CliError(Exception):
    """A usage error found after parsing; printed as one line, exit code 2."""


# -- helpers ------------------------------------------------------------------------------------
def _open(name: str):
    """A benchmark by name (built if missing) or a store file by path (``nasbench.load``)."""
    import nasbench

    return nasbench.load(name)


def _arch(token: str, bench: Any) -> int | str:
    """An ARCH argument of ``bench``: the arch it parses as, else an official index (see the
    module doc: ``#N`` is always an index, a token that parses as an arch is always the arch)."""
    text = token.strip()
    if text.startswith("#"):
        digits = text[1:]
        if not (digits.isascii() and digits.isdigit()):
            raise CliError(f"an explicit index is '#' and digits, like '#11'; got {quote(token)}")
        return int(digits)
    if not (text.isascii() and text.isdigit()) or bench.space.is_valid(text):
        return text
    return int(text)


def _seed(token: str) -> int | str:
    if token == "all":
        return "all"
    if not (token.isascii() and token.isdigit()) or len(token) > 18:
        raise argparse.ArgumentTypeError(
            f"seed must be 'all', a run position (0, 1, ...) or an official seed id (777); "
            f"got {quote(token)}"
        )
    return int(token)


def _budget(token: str) -> int:
    if not (token.isascii() and token.isdigit()) or len(token) > 18:
        raise argparse.ArgumentTypeError(f"budget must be a number of epochs (e.g. 200); got {quote(token)}")
    return int(token)


def _fmt(value: Any) -> str:
    """A table cell: floats with 10 significant digits, arrays as comma lists, NaN as 'nan'."""
    if isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) > 0:
        return ", ".join(_fmt(v) for v in value)
    if isinstance(value, float) or hasattr(value, "dtype"):
        value = float(value)
        return "nan" if math.isnan(value) else f"{value:.10g}"
    return "-" if value is None else str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) > 0:
        return [_jsonable(v) for v in value]
    if hasattr(value, "dtype") or isinstance(value, float):
        value = float(value)
        return None if math.isnan(value) else value
    return value


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Set[int] = frozenset()
) -> str:
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(items: Sequence[str]) -> str:
        return "  ".join(
            (s.rjust(w) if i in right else s.ljust(w)) for i, (s, w) in enumerate(zip(items, widths))
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def _size(path: Path) -> str:
    size = float(path.stat().st_size)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""  # pragma: no cover




def _budgets(budgets: Sequence[int | None]) -> str:
    return ", ".join("-" if b is None else str(b) for b in budgets)


# -- commands -----------------------------------------------------------------------------------
def cmd_list(args: argparse.Namespace) -> int:
    import nasbench
    from nasbench import recipes

    rows = []
    for name in nasbench.available():
        path = nasbench.store_path(name)
        if path.exists():
            try:
                with nasbench.Benchmark(path) as bench:
                    metrics = {m for d in bench.datasets for m in bench.metrics(d)}
                    rows.append([name, bench.space_name, f"{len(bench):,}", len(bench.datasets),
                                 len(metrics), _raw_count(bench.sources), "yes"])
                continue
            except nasbench.StoreError:
                pass  # unreadable: report what the recipe knows, marked unbuilt
        try:
            recipe = recipes.get(name)
            rows.append([name, recipe.space, "-", "-", "-", len(recipe.sources), "no"])
        except Exception as exc:  # one broken recipe must not hide the others
            print(f"{PROG}: warning: recipe {name!r} cannot be loaded: {exc}", file=sys.stderr)
            rows.append([name, "?", "-", "-", "-", "-", "no"])
    headers = ["benchmark", "space", "archs", "datasets", "metrics", "sources", "built"]
    print(_table(headers, rows, right={2, 3, 4, 5}))
    return 0


def _raw_count(sources: list[dict]) -> int:
    """Sources a store was built from, not counting the code that built it."""
    return sum(s.get("part") != "code" for s in sources)


def cmd_info(args: argparse.Namespace) -> int:
    import textwrap

    bench = _open(args.name)
    with bench:
        print(f"{bench.name}")
        for para in (bench.description or "(no description)").split("\n"):
            print(textwrap.fill(para, width=100, initial_indent="  ", subsequent_indent="  "))
        order = "official index order" if bench.official_index else "store order"
        print(f"\nspace     {bench.space_name}")
        print(f"archs     {len(bench):,} ({order})")
        print(f"store     {bench.path} ({_size(bench.path)})")
        for dataset in bench.datasets:
            rows = []
            for metric in bench.metrics(dataset):
                d = bench.describe(dataset, metric)
                default = ("none" if d.default_error else _budgets([d.default_budget]))
                rows.append([metric, d.unit or "-", d.split or "-", _budgets(d.budgets), default,
                             d.direction or "-", d.seeds if d.per_seed else "-",
                             f"{d.measured:,}"])
            full = bench.full_budget(dataset)
            # proxy, hardware and final-epoch-only tables have no epoch axis
            budget = f"full budget: {full} epochs" if full is not None else "no training budgets"
            print(f"\ndataset {dataset} ({budget})")
            headers = ["metric", "unit", "split", "budget(s)", "default", "direction", "seeds",
                       "measured"]
            print(textwrap.indent(_table(headers, rows, right={6, 7}), "  "))
        print("\ndefault: the budget a query without --budget uses; 'none': that metric has no "
              "value at the full budget, name one of its budgets")
        print(f"\nsources ({len(bench.sources)})")
        rows = [[s.get("part", "") or "-", s.get("repo", "") or "-", s.get("commit") or "-",
                 s.get("repo_path") or s.get("path", "-"), s.get("sha256") or "-",
                 s.get("license") or "-"] for s in bench.sources]
        headers = ["part", "repo", "commit", "path", "sha256", "license"]
        print(textwrap.indent(_table(headers, rows), "  "))
    return 0


def _metric_plan(bench: Any, dataset: str, metrics: list[str] | None) -> tuple[list[str], bool]:
    """The metrics to show and whether the user named them (named ones must all work)."""
    if metrics:
        return list(metrics), True
    return bench.metrics(dataset), False


def _budget_used(bench: Any, dataset: str, metric: str, budget: int | None) -> int | None:
    try:
        return bench.describe(dataset, metric, budget=budget).budget
    except (KeyError, ValueError):
        return budget


def cmd_query(args: argparse.Namespace) -> int:
    import json

    bench = _open(args.name)
    with bench:
        rows = [int(r) for r in bench.rows([_arch(a, bench) for a in args.archs])]
        metrics, named = _metric_plan(bench, args.dataset, args.metric)
        columns: dict[str, Any] = {}
        used: dict[str, int | None] = {}
        for metric in metrics:
            try:
                columns[metric] = bench.values(args.dataset, metric, budget=args.budget,
                                               seed=args.seed)[rows]
            except (KeyError, ValueError):
                if named:
                    raise
                continue  # showing every metric: leave out those without this budget / seeds
            used[metric] = _budget_used(bench, args.dataset, metric, args.budget)
        if not columns:
            raise CliError(
                f"no metric of {bench.name}/{args.dataset} has budget {args.budget} and seed "
                f"{args.seed!r}; see `nasbench info {args.name}`"
            )
        index = [bench.index(bench.archs[r]) if bench.has_official_index else None for r in rows]
        if args.json:
            out = [
                {"index": index[i], "row": r, "arch": bench.archs[r], "dataset": args.dataset,
                 "budget": args.budget, "budgets_used": used, "seed": args.seed,
                 "values": {m: _jsonable(v[i]) for m, v in columns.items()}}
                for i, r in enumerate(rows)
            ]
            print(json.dumps(out, indent=2))
            return 0
        first = "index" if bench.has_official_index else "row"
        ids = index if bench.has_official_index else rows
        budget_line = ", ".join(f"{m} at {_budgets([b])}" for m, b in used.items())
        if len(columns) <= WIDE_LIMIT:
            table = [[ids[i], bench.archs[r], *(v[i] for v in columns.values())]
                     for i, r in enumerate(rows)]
            print(_table([first, "arch", *columns], table,
                         right={0, *range(2, 2 + len(columns))}))
        else:  # many metrics: one row per metric, one column per arch
            print(_table([first, "arch"], [[ids[i], bench.archs[r]] for i, r in enumerate(rows)],
                         right={0}))
            print()
            table = [[m, _budgets([used[m]]), *(v[i] for i in range(len(rows)))]
                     for m, v in columns.items()]
            print(_table(["metric", "budget", *(str(x) for x in ids)], table,
                         right=set(range(1, 2 + len(rows)))))
            budget_line = ""
        if budget_line:
            print(f"\nbudget (epochs; - = none applies): {budget_line}")
    return 0


def _check_frame_out(out: str) -> str:
    suffix = Path(out).suffix.lower()
    if suffix not in FRAME_FORMATS:
        raise CliError(
            f"cannot tell the format of {out!r} from its extension; use .csv or .parquet"
        )
    return suffix


def cmd_frame(args: argparse.Namespace) -> int:
    suffix = _check_frame_out(args.out)
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise CliError(
                "writing .parquet needs pyarrow (pip install 'nasbench[parquet]'); or use .csv"
            ) from None
    bench = _open(args.name)
    with bench:
        frame = bench.frame(args.dataset, args.metric or None, budget=args.budget)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        if suffix == ".csv":
            frame.to_csv(tmp)
        else:
            frame.to_parquet(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    print(f"wrote {out} ({len(frame):,} rows x {frame.shape[1]} columns, {_size(out)})")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    import nasbench
    from nasbench.store import remove_stale_temporaries

    if args.all and args.names:
        raise CliError("give benchmark names or --all, not both")
    names = nasbench.available() if args.all else list(args.names)
    if not names:
        raise CliError(f"name the benchmarks to build or use --all; known: {', '.join(nasbench.available())}")
    known = nasbench.available()
    for name in names:
        if name not in known:
            raise nasbench.UnknownNameError("benchmark", name, known)
    bar = tqdm(names, desc="benchmarks", unit="store", disable=len(names) < 2)
    for name in bar:
        bar.set_postfix_str(name)
        path = nasbench.store_path(name)
        for stale in remove_stale_temporaries(path):
            tqdm.write(f"{name}: removed {stale.name}, left by an interrupted build")
        if path.exists() and not args.force:
            reason = nasbench.rebuild_reason(name)
            if not reason:
                tqdm.write(f"{name}: up to date: {path} ({_size(path)}); --force rebuilds it")
                continue
            tqdm.write(f"{name}: {path} ({_size(path)}) {reason}; rebuilding")
        start = time.perf_counter()
        path = nasbench.build(name, force=True)
        seconds = time.perf_counter() - start
        tqdm.write(f"{name}: built {path} ({_size(path)}) in {seconds:.1f} s")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    import nasbench

    if args.all and args.names:
        raise CliError("give store names / paths or --all, not both")
    if args.all:
        targets = [str(nasbench.store_path(n)) for n in nasbench.available()
                   if nasbench.store_path(n).exists()]
    else:
        targets = list(args.names)
    if not targets:
        raise CliError("name the stores to verify (names or .h5 paths) or use --all")
    known = nasbench.available()
    for target in targets:
        if not nasbench.is_store_path(target) and target not in known:
            raise nasbench.UnknownNameError("benchmark", target, known)
    failures = []
    for target in targets:
        path = nasbench.resolve_store(target)
        if target in known and not path.exists():
            failures.append(f"{target} is not built ({path} does not exist); run 'nasbench build "
                            f"{target}'")
            print(f"{target}: FAILED", flush=True)
            continue
        try:
            arrays = nasbench.verify(path)
        except nasbench.StoreError as exc:
            failures.append(_message(exc))
            print(f"{target}: FAILED", flush=True)
            continue
        print(f"{target}: ok ({arrays} arrays, {_size(path)})", flush=True)
    if failures:
        raise CliError(failures[0] if len(failures) == 1 else
                       f"{len(failures)} of {len(targets)} stores failed; first: {failures[0]}")
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".h5", ".hdf5"):
        raise CliError(f"a store is an HDF5 file: give --out a .h5 name, not {args.out!r}")
    named = {"name": args.store_name} if args.store_name else {}
    start = time.perf_counter()
    if args.format == "nats":
        from nasbench.readers import nats

        if len(args.inputs) != 1:
            raise CliError(f"convert nats takes one '-simple' directory, got {len(args.inputs)} paths")
        path = nats.convert(args.inputs[0], out, curves=not args.no_curves, **named)
    elif args.format == "nb101-tfrecord":
        from nasbench.readers.nb101_tfrecord import convert_tfrecord

        if len(args.inputs) != 1:
            raise CliError(f"convert nb101-tfrecord takes one .tfrecord file, got {len(args.inputs)} paths")
        path = convert_tfrecord(args.inputs[0], out, **named)
    else:
        from nasbench.readers.calibration import convert_calibration_csv

        path = convert_calibration_csv(args.inputs, out, **named)
    seconds = time.perf_counter() - start
    import nasbench

    with nasbench.Benchmark(path) as bench:
        print(f"wrote {path} ({_size(path)}) in {seconds:.1f} s: {bench.name}, space "
              f"{bench.space_name}, {len(bench):,} archs, datasets {', '.join(bench.datasets)}")
    return 0


def sources_markdown() -> str:
    """Every raw file every recipe reads, as a markdown table (the content of data/SOURCES.md)."""
    from nasbench import recipes

    lines = [
        "# Raw sources",
        "",
        "Every published file the recipes read, pinned by sha256 (generated by "
        "`nasbench sources`; do not edit). The files themselves are never committed: they are "
        "read from `$NASBENCH_DATA`.",
        "",
        "| store | file (under $NASBENCH_DATA) | sha256 | repository | commit | license |",
        "|---|---|---|---|---|---|",
    ]
    for name in recipes.available():
        seen = set()
        for src in recipes.get(name).sources:
            if src.path in seen:
                continue
            seen.add(src.path)
            lines.append(
                f"| {name} | `{src.path}` | `{src.sha256}` | {src.repo or '-'} | "
                f"{src.commit[:10] or '-'} | {src.license or '-'} |"
            )
    return "\n".join(lines) + "\n"


def cmd_sources(args: argparse.Namespace) -> int:
    print(sources_markdown(), end="")
    return 0


def run_predictor_command(name: str, argv: list[str]) -> int:
    """Run predictor-side command ``name`` (``PREDICTOR_COMMANDS``) with the remaining ``argv``."""
    import importlib

    module_name, function, _ = PREDICTOR_COMMANDS[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise CliError(
            f"`{name}` needs {module_name}, which cannot be imported ({_message(exc)}); "
            "install the predictors extras: pip install 'nasbench[predictors]'"
        ) from None
    entry = getattr(module, function, None)
    if not callable(entry):
        raise CliError(f"`{name}`: {module_name} has no {function}(argv) entry point")
    from predictors.parallel import WorkerDied  # importable: the command's module just was

    try:
        return int(entry(list(argv)) or 0)
    except WorkerDied as exc:  # not the input's fault: exit 1, with what to do
        print(f"{PROG} {name}: error: {exc}", file=sys.stderr)
        return 1


def cmd_evaluate(argv: list[str]) -> int:
    """``nasbench evaluate ...``: the predictors' protocol (kept for callers of the old name)."""
    return run_predictor_command("evaluate", argv)


# -- parser -------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    from nasbench import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Precomputed NAS benchmark tables: list, inspect, query, export, build, "
                    "verify; and the predictor commands (evaluate, proxies, build-bank, reproduce).",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("list", help="every benchmark nasbench can build, built or not",
                       description="Every benchmark nasbench can build: space, archs, datasets, "
                                   "metrics, sources, and whether its store is built.")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("info", help="datasets, metrics and sources of one benchmark",
                       description="Datasets and metrics (unit, split, budgets, direction, seeds, "
                                   "coverage) and the pinned sources of one benchmark.")
    p.add_argument("name", metavar="NAME", help="benchmark name or store file (.h5)")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("query", help="metric values of some architectures",
                       description="Metric values of some architectures. ARCH is an arch string "
                                   "or an official index; '#N' is always the index N, and a token "
                                   "that parses as an arch is the arch.")
    p.add_argument("name", metavar="NAME", help="benchmark name or store file (.h5)")
    p.add_argument("archs", metavar="ARCH", nargs="+",
                   help="arch string, official index, or #INDEX")
    p.add_argument("--dataset", "-d", required=True, help="dataset name (see `nasbench info`)")
    p.add_argument("--metric", "-m", action="append",
                   help="metric name; repeat for several (default: every metric of the dataset)")
    p.add_argument("--budget", "-b", type=_budget, help="training epochs (default: the full budget)")
    p.add_argument("--seed", "-s", type=_seed,
                   help="k = the k-th run, 'all' = every run (default: the mean over seeds)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("frame", help="one dataset as a table file (.csv or .parquet)",
                       description="Write one dataset as a table file: one row per arch, one "
                                   "column per metric (default variant: full budget, seed mean).")
    p.add_argument("name", metavar="NAME", help="benchmark name or store file (.h5)")
    p.add_argument("--dataset", "-d", required=True)
    p.add_argument("--out", "-o", required=True, help="FILE.csv or FILE.parquet")
    p.add_argument("--metric", "-m", action="append", help="metric name; repeat (default: all)")
    p.add_argument("--budget", "-b", type=_budget, help="training epochs (default: the full budget)")
    p.set_defaults(func=cmd_frame)

    p = sub.add_parser("build", help="build stores from the raw files in $NASBENCH_DATA",
                       description="Build stores from the pinned raw files in $NASBENCH_DATA. A "
                                   "store that passes `nasbench verify` and was built from the "
                                   "raw files its recipe reads today is kept (--force rebuilds "
                                   "it); any other is rebuilt.")
    p.add_argument("names", metavar="NAME", nargs="*")
    p.add_argument("--all", action="store_true", help="every benchmark")
    p.add_argument("--force", action="store_true", help="rebuild stores that exist")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("convert", help="convert a benchmark's official files into a store",
                       description="Convert a benchmark's official files into a store, without "
                                   "the benchmark's own framework.")
    p.add_argument("format", choices=["nats", "nb101-tfrecord", "calibration"],
                   help="nats: a NATS-Bench '-simple' directory; nb101-tfrecord: the official "
                        "nasbench_only108.tfrecord or nasbench_full.tfrecord; calibration: the "
                        "calibration bank's cifar10_tss.csv / cifar100_tss.csv / ImageNet_tss.csv")
    p.add_argument("inputs", metavar="INPUT", nargs="+", help="directory or files to convert")
    p.add_argument("--out", "-o", required=True, help="the store file to write (.h5)")
    p.add_argument("--name", dest="store_name",
                   help="store name (default: nats_tss / nats_sss / nb101 / calibration)")
    p.add_argument("--no-curves", action="store_true",
                   help="leave out per-epoch curves (a full tss conversion with them is ~1.2 GB)")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("sources", help="every pinned raw file, as a markdown table",
                       description="Every raw file every recipe reads, pinned by sha256, as the "
                                   "markdown table of data/SOURCES.md.")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("verify", help="check stores against their checksums",
                       description="Read every array of the stores and check it against its "
                                   "fletcher32 checksum, the arch list against the store's "
                                   "digest, and the catalog against the arrays.")
    p.add_argument("names", metavar="NAME", nargs="*", help="benchmark name or store file (.h5)")
    p.add_argument("--all", action="store_true", help="every built store")
    p.set_defaults(func=cmd_verify)

    for name, (module, _, text) in PREDICTOR_COMMANDS.items():
        sub.add_parser(name, help=f"{text} (the rest of the command line goes to {module})",
                       add_help=False)
    return parser


def _message(exc: BaseException) -> str:
    """One line for the user: a plain KeyError unquoted, an OSError with its file, no newlines."""
    if isinstance(exc, KeyError) and type(exc).__str__ is KeyError.__str__ and len(exc.args) == 1:
        text = str(exc.args[0])  # a plain KeyError quotes its argument
    elif isinstance(exc, OSError) and exc.strerror and not isinstance(exc, nasbench_errors()):
        where = f": {quote(exc.filename)}" if exc.filename is not None else ""
        text = f"{exc.strerror}{where}"
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join(text.split())  # one line
    return text if len(text) <= 2000 else f"{text[:1000]} ... ({len(text):,} chars)"


def nasbench_errors() -> type:
    from nasbench.errors import NasbenchError

    return NasbenchError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 user error, 1 a predictor command's
    worker processes kept dying)."""
    import nasbench

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in PREDICTOR_COMMANDS:
            return run_predictor_command(argv[0], argv[1:])
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help (0) or a usage error (2, already printed)
            return int(exc.code or 0) if not isinstance(exc.code, str) else 2
        return args.func(args)
    except (CliError, nasbench.NasbenchError, KeyError, ValueError, IndexError, OSError) as exc:
        print(f"{PROG}: error: {_message(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `nasbench info nb201 | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
