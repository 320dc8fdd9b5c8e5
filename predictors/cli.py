"""``nasbench evaluate``: run the evaluation protocol from the command line.

::

    nasbench evaluate nb201 --dataset cifar10 --target test_accuracy \\
        --predictors xgb,lgbm,rf --train-sizes 10,100,1000 --seeds 10 --out results/ \\
        [--test-size 1000] [--restrict zc] [--encoding onehot] [--n-jobs 2] [--scheduler ADDRESS]

Without ``--predictors`` the default sweep runs (``predictors.registry.DEFAULT_PREDICTORS``); its
``params`` / ``flops`` baselines restrict the archs to those that have the column, or are left out
when the column is missing or too small (a ``note:`` line on stderr says so).

Writes into ``--out`` (created if needed), with ``PREFIX = <bench>-<dataset>-<target>`` unless
``--name`` says otherwise:

* ``PREFIX.csv``: one row per (predictor, train size, seed), every metric;
* ``PREFIX-summary.csv``: mean, std, 95% interval, runs and failed runs per (predictor, train
  size, score);
* ``PREFIX.md``: the markdown leaderboard (also printed);
* ``PREFIX.png`` / ``PREFIX.svg``: Spearman vs training-set size.

Errors (unknown benchmark, dataset, metric or predictor, too few archs, ...) print one line
``nasbench evaluate: <message>`` and exit with code 2. ``nasbench/cli.py`` delegates the
``evaluate`` subcommand's arguments to ``main``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

__all__ = ["main", "build_parser"]


def _ints(text: str) -> list[int]:
    try:
        values = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values:
        raise argparse.ArgumentTypeError("expected at least one integer")
    return values


def _names(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def build_parser() -> argparse.ArgumentParser:
    from predictors.evaluate import (
        DEFAULT_SEEDS,
        DEFAULT_TEST_SIZE,
        DEFAULT_TOP_K,
        DEFAULT_TRAIN_SIZES,
    )
    from predictors.registry import DEFAULT_PREDICTORS, names_help

    p = argparse.ArgumentParser(
        prog="nasbench evaluate",
        description="Rank predictors on a benchmark with a seeded train/test protocol.",
    )
    p.add_argument("bench", help="benchmark (store) name, e.g. nb201, or a store path")
    p.add_argument("--dataset", required=True, help="dataset name, e.g. cifar10")
    p.add_argument("--target", default="test_accuracy", help="metric to predict (default %(default)s)")
    p.add_argument(
        "--predictors", type=_names, default=None,
        help=f"comma-separated: {names_help()} (default: {','.join(DEFAULT_PREDICTORS)}; "
        "params / flops restrict the archs to those that have the column, or are left out)",
    )
    p.add_argument(
        "--train-sizes", type=_ints, default=list(DEFAULT_TRAIN_SIZES),
        help=f"comma-separated (default {','.join(map(str, DEFAULT_TRAIN_SIZES))})",
    )
    p.add_argument("--test-size", type=int, default=DEFAULT_TEST_SIZE, help="default %(default)s")
    p.add_argument(
        "--seeds", type=str, default=str(DEFAULT_SEEDS),
        help="a count n (seeds 0..n-1) or a comma-separated list (default %(default)s)",
    )
    p.add_argument(
        "--restrict", type=_names, default=[],
        help="only archs that have these metrics (comma-separated; 'zc' = every zc/* column)",
    )
    p.add_argument("--budget", type=int, default=None, help="target budget in epochs (default: full)")
    p.add_argument("--encoding", default=None, help="encoding of learned predictors (default: the space's)")
    p.add_argument(
        "--top-k", type=_ints, default=list(DEFAULT_TOP_K), help="k of precision@k (default 10,50)"
    )
    p.add_argument("--out", type=Path, default=None, help="folder for CSV, markdown and plots")
    p.add_argument("--name", default=None, help="file name prefix (default <bench>-<dataset>-<target>)")
    p.add_argument("--n-jobs", type=int, default=1, help="joblib processes (default %(default)s)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse ``argv`` (without the program name), run, write, print; return the
    exit code (0, or 2 on a user error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse has already printed
        return int(exc.code or 0)
    try:
        return _run(args)
    except (KeyError, ValueError, FileNotFoundError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"nasbench evaluate: {message}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from predictors import evaluate as ev

    seeds: int | list[int]
    seeds = int(args.seeds) if args.seeds.strip().isdigit() else _ints(args.seeds)
    names, restrict = args.predictors, list(args.restrict)
    if names is None:  # the default sweep, fitted to the columns this dataset has
        from predictors.registry import default_plan

        names, extra, notes = default_plan(
            args.bench, args.dataset, args.test_size + max(args.train_sizes)
        )
        restrict += [m for m in extra if m not in restrict]
        for note in notes:
            print(f"note: {note.replace('`', '')}", file=sys.stderr)
    start = time.perf_counter()
    df = ev.evaluate(
        args.bench,
        args.dataset,
        args.target,
        names,
        train_sizes=args.train_sizes,
        test_size=args.test_size,
        seeds=seeds,
        restrict=restrict,
        budget=args.budget,
        encoding=args.encoding,
        top_k=args.top_k,
        n_jobs=args.n_jobs,
        scheduler=args.scheduler,
        progress=not args.no_progress,
    )
    elapsed = time.perf_counter() - start
    prefix = args.name or f"{df.attrs['benchmark']}-{args.dataset}-{args.target}".replace("/", "_")
    title = f"{df.attrs['benchmark']} {args.dataset}: {args.target}"
    text = ev.leaderboard_markdown(df, title=title)
    text += f"\n{len(df):,} runs in {elapsed:.1f} s.\n"
    print(text)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        df.to_csv(args.out / f"{prefix}.csv", index=False)
        ev.summarize(df).to_csv(args.out / f"{prefix}-summary.csv", index=False)
        (args.out / f"{prefix}.md").write_text(text)
        ev.plot_curves(df, [args.out / f"{prefix}.png", args.out / f"{prefix}.svg"], title=title)
        print(f"wrote {args.out}/{prefix}.{{csv,md,png,svg}} and {prefix}-summary.csv")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
