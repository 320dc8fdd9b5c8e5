"""GNN predictors against the GBDTs under the protocol of ``predictors.evaluate``.

Usage::

    .venv/bin/python benchmarks/gnn.py --bench nb201 --dataset cifar10 --target test_accuracy \\
        --sizes 78,100,156,469,781,1000,1563 --seeds 3 --predictors gnn,gnn-gin-hinge,xgb-plus \\
        --out benchmarks/results/gnn.md [--title "..."] [--append] [--n-jobs 1]

Every predictor sees the same splits (1,000 test archs by default, nested training sets drawn
from each seed). Writes a markdown section with the Kendall and the Spearman leaderboards (mean
and 95% interval over seeds), the paired Kendall differences between the leader and each other
predictor (per seed, same splits, bootstrap interval of the mean), the command that made it and
its wall time; ``--append`` adds the section to an existing file instead of replacing it.
``--summarize gnn,xgb-plus`` only rewrites the file's ``## Summary``: ``gnn`` minus ``xgb-plus``
per section and size, read from those paired differences. Predictor names are those of
``predictors.registry`` (``gnn``, ``gnn-<encoder>[-<loss>]``, ``gnn-both``, ``gnn-pre``,
``gnn+xgb``, ``xgb-plus``, ...); ``name@key=value,key=value`` sets parameters of a GNN
(``gnn-flow-hinge@layers=1,hidden=32``); separate predictors with ``;`` when one has parameters.

Transfer (``predictors.gnn.transfer``)::

    .venv/bin/python benchmarks/gnn.py --transfer nb101:cifar10:valid_accuracy \
        --bench nb201 --dataset cifar10 --target test_accuracy --shots 10,50 --seeds 3 \
        --out benchmarks/results/transfer.md --append

trains the default GNN on 1,000 labelled source archs (``--source-size``) with the shared op
vocabulary and reports zero-shot and few-shot (fine-tuned) Spearman / Kendall on 1,000 target
archs, next to the GNN and ``xgb-plus`` trained from scratch on the same few archs.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NASBENCH_DATA", str(ROOT.parent / "shared" / "data"))


def _predictor(spec: str, bench: str, dataset: str):
    """A registry name, optionally with ``@key=value,...`` parameter overrides."""
    import ast

    from predictors import registry

    name, _, tail = spec.partition("@")
    model = registry.make(name, bench=bench, dataset=dataset)
    if tail:
        params = {}
        for item in tail.split(","):
            key, _, value = item.partition("=")
            try:
                params[key] = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                params[key] = value
        model.set_params(**params)
    return model


def _write(args: argparse.Namespace, text: str, append: bool | None = None) -> None:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if (args.append if append is None else append) and out.exists():
        text = out.read_text() + text
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(out)
    print(text)


def _command(argv: list[str] | None) -> str:
    return "python benchmarks/gnn.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))


def _transfer(args: argparse.Namespace, argv: list[str] | None) -> int:
    import torch

    from predictors.evaluate import seed_interval
    from predictors.gnn import transfer

    torch.set_num_threads(1)
    source = tuple(args.transfer.split(":"))
    target = (args.bench, args.dataset, args.target)
    shots = [int(s) for s in args.shots.split(",")]
    start = time.perf_counter()
    df = transfer.run(source, target, source_size=args.source_size, shots=shots,
                      test_size=args.test_size, seeds=list(range(args.seeds)))
    wall = time.perf_counter() - start
    title = args.title or f"{':'.join(source)} -> {':'.join(target)}"
    lines = [
        f"## {title}", "",
        f"Source model: the default `gnn` (shared op vocabulary) on {args.source_size:,} labelled "
        f"source archs; its Spearman on 1,000 source test archs: {df['source_spearman'].mean():.3f}. "
        f"Target: {args.test_size:,} test archs; mean [95% interval] over {args.seeds} seeds.", "",
        "| shots | method | Spearman | Kendall |", "|---:|---|---:|---:|",
    ]
    for (shot, method), part in df.groupby(["shots", "method"], sort=False):
        cells = []
        for score in ("spearman", "kendall"):
            lo, hi = seed_interval(part[score].to_numpy(), score)
            cells.append(f"{part[score].mean():.3f} [{lo:.3f}, {hi:.3f}]")
        lines.append(f"| {shot} | {method} | " + " | ".join(cells) + " |")
    lines += ["", f"`{_command(argv)}`: {wall:.0f} s.", "", ""]
    _write(args, "\n".join(lines))
    return 0


SUMMARY = "## Summary"


def _summarize(path: Path, a: str, b: str) -> int:
    """Rewrite the ``## Summary`` section of ``path`` (before its first other section): per section
    and train size, ``a`` minus ``b`` in Kendall with its interval, read from the section's paired
    differences; and how many cells each side wins."""
    import re

    text = path.read_text()
    head, _, body = text.partition("\n## ")
    head = head.rstrip() + "\n\n"
    sections = [s for s in body.split("\n## ") if s and not s.startswith(SUMMARY[3:])]
    row = re.compile(r"^\| ([\d,]+) \| (\S+) \| (\S+) \| ([+-][\d.]+) \[([+-][\d.]+), ([+-][\d.]+)\] \| (\d+) \|")
    table: dict[str, dict[int, tuple[float, float, float]]] = {}
    for sec in sections:
        title = sec.splitlines()[0]
        for line in sec.splitlines():
            m = row.match(line)
            if not m or {m[2], m[3]} != {a, b}:
                continue
            d, lo, hi = float(m[4]), float(m[5]), float(m[6])
            if m[2] == b:
                d, lo, hi = -d, -hi, -lo
            table.setdefault(title, {})[int(m[1].replace(",", ""))] = (d, lo, hi)
    if not table:
        raise SystemExit(f"{path}: no paired differences of {a} and {b}; run the sections first")
    sizes = sorted({n for cells in table.values() for n in cells})
    count = {"above": 0, "below": 0, "level": 0}
    lines = [SUMMARY, "", f"Kendall of `{a}` minus `{b}` on identical splits, mean [95% bootstrap "
             "interval] over the section's seeds (from each section's paired differences):", "",
             "| section | " + " | ".join(f"n={n:,}" for n in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for title, cells in table.items():
        out = []
        for n in sizes:
            if n not in cells:
                out.append("-")
                continue
            d, lo, hi = cells[n]
            side = "above" if lo > 0 else "below" if hi < 0 else "level"
            count[side] += 1
            text_cell = f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]"
            out.append(f"**{text_cell}**" if side == "above" else text_cell)
        lines.append(f"| {title} | " + " | ".join(out) + " |")
    total = sum(count.values())
    lines += ["", f"Of {total} cells, `{a}` is above `{b}` in {count['above']} (bold: the interval "
              f"excludes 0), below in {count['below']}, and level (0 inside the interval) in "
              f"{count['level']}.", "", ""]
    path.write_text(head + "\n".join(lines) + "\n".join("## " + s for s in sections))
    print("\n".join(lines))
    return 0


def _fit_time(args: argparse.Namespace, argv: list[str] | None) -> int:
    """Wall and CPU (process) seconds of one fit per predictor on ``--fit-time`` archs: on a shared
    machine the CPU seconds are what the fit costs, the wall seconds what it waited."""
    import numpy as np
    import torch

    from predictors.base import open_bench
    from predictors.evaluate import candidates

    torch.set_num_threads(1)
    b = open_bench(args.bench)
    rows, y = candidates(b, args.dataset, args.target)
    pick = np.random.default_rng(0).permutation(len(rows))[: args.fit_time]
    archs = np.asarray(b.archs, dtype=object)[rows[pick]].tolist()
    lines = [f"## Fit time on {args.fit_time:,} {args.bench} archs (one torch thread)", "",
             "| predictor | wall s | CPU s |", "|---|---:|---:|"]
    for spec in args.predictors.split(","):
        model = _predictor(spec, args.bench, args.dataset)
        model.fit(archs[:20], y[pick][:20])  # warm caches (graphs, imports) outside the timing
        wall, cpu = time.perf_counter(), time.process_time()
        model.fit(archs, y[pick])
        lines.append(f"| {spec} | {time.perf_counter() - wall:.1f} | {time.process_time() - cpu:.1f} |")
    lines += ["", f"`{_command(argv)}`", "", ""]
    _write(args, "\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="nb201")
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--target", default="test_accuracy")
    parser.add_argument("--sizes", default="78,100,156,469,781,1000,1563")
    parser.add_argument("--test-size", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--predictors", default="gnn,xgb-plus")
    parser.add_argument("--restrict", default="", help="comma-separated metrics the archs must have (zc = every proxy)")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "gnn.md"))
    parser.add_argument("--title", default=None)
    parser.add_argument("--append", action="store_true")
    parser.add_argument("--transfer", default=None, metavar="STORE:DATASET:TARGET",
                        help="source of a transfer study to --bench/--dataset/--target")
    parser.add_argument("--source-size", type=int, default=1000)
    parser.add_argument("--shots", default="10,50")
    parser.add_argument("--fit-time", type=int, default=0, metavar="N",
                        help="only time one fit of each predictor on N archs (wall and CPU seconds)")
    parser.add_argument("--summarize", default=None, metavar="A,B",
                        help="only (re)write the summary of --out: A minus B per section and size, "
                             "from the sections' paired differences")
    args = parser.parse_args(argv)
    if args.summarize:
        return _summarize(Path(args.out), *args.summarize.split(","))
    if args.transfer:
        return _transfer(args, argv)
    if args.fit_time:
        return _fit_time(args, argv)

    import torch

    from predictors import evaluate

    torch.set_num_threads(1)
    specs = [s for s in args.predictors.split(";" if ";" in args.predictors else ",") if s]
    models = {s: _predictor(s, args.bench, args.dataset) for s in specs}
    sizes = [int(s) for s in args.sizes.split(",")]
    out = Path(args.out)
    base_text = out.read_text() if args.append and out.exists() else ""
    start = time.perf_counter()
    # one seed at a time, the file rewritten after each: a long sweep on a shared machine leaves
    # a usable (partial) table if it has to be stopped
    parts = []
    for seed in range(args.seeds):
        parts.append(evaluate.evaluate(
            args.bench, args.dataset, args.target, models, train_sizes=sizes,
            test_size=args.test_size, seeds=[seed], restrict=[r for r in args.restrict.split(",") if r],
            n_jobs=args.n_jobs, progress=False,
        ))
        _report(args, argv, parts, time.perf_counter() - start, base_text)
    return 0


def _report(args: argparse.Namespace, argv: list[str] | None, parts: list, wall: float,
            base_text: str) -> None:
    import pandas as pd

    from predictors import evaluate

    df = pd.concat(parts, ignore_index=True)
    df.attrs.update(parts[0].attrs)
    df.attrs["seeds"] = sorted(df["seed"].unique().tolist())
    title = args.title or f"{args.bench} {args.dataset}: {args.target}"
    fit = df.groupby(["predictor", "train_size"])["fit_seconds"].mean().unstack()
    done = "" if len(parts) == args.seeds else f" (partial: {len(parts)} of {args.seeds} seeds)"
    lines = [
        f"## {title}", "",
        evaluate.leaderboard_markdown(df, "kendall"),
        "Spearman:", "",
        evaluate.leaderboard_markdown(df, "spearman").split("\n\nAll scores")[0].split("\n\n", 1)[-1],
        "",
        "Mean fit seconds per run (one torch thread; wall time on a shared 2-core machine, "
        "so contention included):", "",
        "| predictor | " + " | ".join(f"n={s:,}" for s in fit.columns) + " |",
        "|---|" + "---:|" * len(fit.columns),
        *[f"| {p} | " + " | ".join(f"{v:.1f}" for v in fit.loc[p]) + " |" for p in fit.index],
        "",
        *_paired_lines(df, "kendall"),
        f"`{_command(argv)}`: {len(df)} runs in {wall:.0f} s{done}.", "", "",
    ]
    _write(args, base_text + "\n".join(lines), append=False)


def _paired_lines(df: Any, score: str) -> list[str]:
    """At each size, the leader (highest mean ``score``) minus every other predictor on the same
    splits: mean [95% bootstrap interval] of the per-seed differences, and what the interval says."""
    from predictors.evaluate import paired_difference

    if df["predictor"].nunique() < 2 or df["seed"].nunique() < 2:
        return []
    lines = [f"Paired differences in {score.capitalize()} (the leader at each size minus each other "
             "predictor, per seed on identical splits; 95% bootstrap interval of the mean):", "",
             "| n | leader | other | difference | seeds | the interval says |",
             "|---:|---|---|---:|---:|---|"]
    for size, part in df.groupby("train_size"):
        table = part.pivot_table(index="seed", columns="predictor", values=score)
        leader = table.mean().idxmax()
        for other in table.mean().sort_values(ascending=False).index.drop(leader):
            seeds = int((table[leader] - table[other]).notna().sum())
            if seeds < 2:
                continue
            mean, lo, hi = paired_difference(table[leader], table[other])
            says = (f"{leader} above {other}" if lo > 0 else f"{leader} below {other}" if hi < 0
                    else "level: 0 is inside")
            lines.append(f"| {size:,} | {leader} | {other} | {mean:+.3f} [{lo:+.3f}, "
                         f"{hi:+.3f}] | {seeds} | {says} |")
    return lines + ["", ""]


if __name__ == "__main__":
    raise SystemExit(main())
