"""Predictor leaderboards for every benchmark that has a built store.

Usage::

    NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/predictors.py [--n-jobs 2] [--seeds 10]
        [--bench nb201] [--dataset cifar10] [--build] [--update]

For each built store (``nasbench.available()`` whose store file exists; ``--build`` builds missing
ones) and each dataset with a target (``pick_target``: ``TARGETS``, else ``test_accuracy``, else
``valid_accuracy``, else the first ``valid_*`` / ``test_*`` metric with a direction), runs the default sweep of ``predictors.evaluate``: every predictor in
``predictors.registry.DEFAULT_PREDICTORS``, train sizes 10..1,000, 1,000 test archs, 10 seeds.

Table baselines (``params``, ``flops``) need their column: where it covers enough archs the sweep is
restricted to the archs that have it (said in the section), where it is missing or too small the
baseline is left out. Datasets with zero-cost proxy columns (``zc/*``) covering enough archs get a
second sweep on the archs that have every proxy: GBDTs on proxies / encoding + proxies and every
proxy ranked alone (``--no-zc`` skips it). Writes ``benchmarks/results/predictors.md`` and one plot per section,
``benchmarks/results/predictors_<bench>_<dataset>.png`` (``--svg`` adds vector copies; they are not
committed, to keep the repository small). ``--update`` rewrites only the sections of the benchmarks
run now and keeps the others (with their timing rows and commands) from the existing file.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NASBENCH_DATA", str(ROOT.parent / "shared" / "data"))

RESULTS = ROOT / "benchmarks" / "results"
#: benchmark -> target metric (default: the first of FALLBACK_TARGETS the dataset has)
TARGETS: dict[str, str] = {
    "nb201": "test_accuracy",
    # NATS-sss: every arch has the 90-epoch validation accuracy; test accuracy only 3 records
    "nats_sss": "valid_accuracy",
}
FALLBACK_TARGETS = ("test_accuracy", "valid_accuracy")
#: learned predictors of the zero-cost section (every zc/<proxy> column is added as a ranker)
ZC_LEARNERS = ("lgbm-both-plus", "xgb-both-plus", "xgb-both", "lgbm-zc", "xgb-both-naslib", "lgbm-plus")


def pick_target(bench, name: str, dataset: str) -> str | None:
    """``TARGETS[name]``, else the first of ``FALLBACK_TARGETS``, else the first ``valid_*`` /
    ``test_*`` metric with a direction (TransNAS tasks: ``valid_ssim``, ``valid_neg_loss``, ...)."""
    metrics = bench.metrics(dataset)
    for t in (TARGETS.get(name), *FALLBACK_TARGETS):
        if t in metrics:
            return t
    for m in metrics:
        # TransNAS's max-over-epochs columns (``*_best`` / ``*_worst``) are not the target
        if (m.startswith(("valid_", "test_")) and not m.endswith(("_best", "_worst"))
                and bench.describe(dataset, m).direction):
            return m
    return None


def _section_order(text: str) -> tuple[str, str, int]:
    """(benchmark, dataset, level) of a section: a zero-cost subsection follows its section."""
    header = text.splitlines()[0]
    name, _, rest = header.lstrip("# ").partition(" ")
    return name, rest.split(":")[0], len(header) - len(header.lstrip("#"))


def _kept(path: Path, ran: set[str]) -> tuple[list[str], list[str], list[str], list[str]]:
    """From an earlier output: its commands, and the sections, timing rows and skipped rows of the
    benchmarks not in ``ran``."""
    import re

    if not path.exists():
        return [], [], [], []
    text = path.read_text()
    head, *body = re.split(r"(?m)^(?=## )", text)
    commands = head.split("```")[1].strip().splitlines() if head.count("```") >= 2 else []
    commands = [c for c in commands if not any(f"--bench {name} " in f"{c} " for name in ran)]
    sections = [part.rstrip("\n") + "\n" for part in body if part.split()[1] not in ran]

    def rows(pipes: int) -> list[str]:
        return [
            line for line in head.splitlines()
            if line.startswith("| ") and line.count("|") == pipes
            and not line.startswith("| benchmark") and line.split("|")[1].strip() not in ran
        ]

    return commands, sections, rows(6), rows(5)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Regenerate benchmarks/results/predictors.md")
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--bench", action="append", help="only these benchmarks (repeatable)")
    p.add_argument("--dataset", action="append", help="only these datasets (repeatable)")
    p.add_argument("--build", action="store_true", help="build missing stores first")
    p.add_argument("--out", type=Path, default=RESULTS / "predictors.md")
    p.add_argument("--no-zc", action="store_true", help="skip the zero-cost proxy sections")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--svg", action="store_true", help="also write SVG copies of the plots")
    p.add_argument("--update", action="store_true",
                   help="keep the sections of benchmarks not run now from the existing --out file")
    args = p.parse_args(argv)
    formats = ("png", "svg") if args.svg else ("png",)

    import nasbench
    from nasbench.vocab import is_zc_metric
    from predictors import evaluate as ev
    from predictors.registry import default_plan

    cmd = "NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/predictors.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    plots = args.out.parent  # plots go beside the markdown that links them
    sections: list[str] = []
    timings: list[str] = []
    skipped: list[str] = []
    need = ev.DEFAULT_TEST_SIZE + max(ev.DEFAULT_TRAIN_SIZES)
    for name in args.bench or nasbench.available():
        if not nasbench.store_path(name).exists() and not args.build:
            continue
        try:
            bench = nasbench.load(name)
        except nasbench.NasbenchError as exc:
            sections.append(f"## {name}\n\nskipped: {exc}\n")
            continue
        for dataset in bench.datasets:
            if args.dataset and dataset not in args.dataset:
                continue
            metrics = bench.metrics(dataset)
            target = pick_target(bench, name, dataset)
            if target is None:
                continue
            measured = bench.describe(dataset, target).measured
            if measured < need:
                skipped.append(f"| {name} | {dataset} | {target} | {measured:,} |")
                continue
            preds, restrict, notes = default_plan(bench, dataset, need)
            start = time.perf_counter()
            try:
                df = ev.evaluate(
                    bench, dataset, target, preds, seeds=args.seeds, restrict=restrict,
                    n_jobs=args.n_jobs, progress=not args.no_progress,
                )
            except (ValueError, KeyError, NotImplementedError) as exc:
                sections.append(f"## {name} {dataset}: {target}\n\nskipped: {exc}\n")
                continue
            elapsed = time.perf_counter() - start
            stem = f"predictors_{name}_{dataset}".replace("/", "_")
            ev.plot_curves(df, [plots / f"{stem}.{ext}" for ext in formats],
                           title=f"{name} {dataset}: {target}")
            body = ev.leaderboard_markdown(df)
            extra = "".join(f"- {n}\n" for n in notes) + ("\n" if notes else "")
            sections.append(
                f"## {name} {dataset}: {target}\n\n{extra}{body}\n"
                f"![Spearman vs training archs]({stem}.png)\n\n"
                f"{len(df):,} runs in {elapsed:.0f} s.\n"
            )
            timings.append(f"| {name} | {dataset} | default | {len(df):,} | {elapsed:.0f} |")
            print(f"{name}/{dataset}: {len(df)} runs in {elapsed:.0f} s", flush=True)
            if args.no_zc:
                continue
            zc = sorted(m for m in metrics if is_zc_metric(m))
            rows, _ = ev.candidates(bench, dataset, target, restrict=["zc"]) if zc else ([], None)
            if len(rows) < need:
                continue
            start = time.perf_counter()
            df = ev.evaluate(
                bench, dataset, target, [*ZC_LEARNERS, *zc], seeds=args.seeds, restrict=["zc"],
                n_jobs=args.n_jobs, progress=not args.no_progress,
            )
            elapsed = time.perf_counter() - start
            stem = f"predictors_{name}_{dataset}_zc".replace("/", "_")
            ev.plot_curves(df, [plots / f"{stem}.{ext}" for ext in formats],
                           title=f"{name} {dataset}: {target}, with zero-cost proxies")
            sections.append(
                f"### {name} {dataset}: {target}, with zero-cost proxies\n\n"
                "GBDTs on the proxies (`-zc`) and on encoding + proxies (`-both`, as in "
                "NAS-Bench-Suite-Zero), next to every stored proxy ranked alone (`zc/<proxy>`), on "
                "the archs that have every proxy.\n\n"
                f"{ev.leaderboard_markdown(df)}\n"
                f"![Spearman vs training archs]({stem}.png)\n\n"
                f"{len(df):,} runs in {elapsed:.0f} s.\n"
            )
            timings.append(f"| {name} | {dataset} | zero-cost | {len(df):,} | {elapsed:.0f} |")
            print(f"{name}/{dataset} zc: {len(df)} runs in {elapsed:.0f} s", flush=True)

    commands = [cmd.strip()]
    if args.update:  # the sections of the benchmarks not rerun come from the earlier file
        ran = {name for name in args.bench or nasbench.available()}
        old_commands, old_sections, old_timings, old_skipped = _kept(args.out, ran)
        commands += old_commands
        sections = sorted(sections + old_sections, key=_section_order)
        timings = sorted(timings + old_timings)
        skipped = sorted(skipped + old_skipped)
    head = [
        "# Predictor leaderboards",
        "",
        "```",
        *commands,
        "```",
        "",
        "Default sweep of `predictors.evaluate` per benchmark and dataset: every predictor of "
        "`predictors.registry.DEFAULT_PREDICTORS`, training sets of "
        f"{', '.join(f'{s:,}' for s in ev.DEFAULT_TRAIN_SIZES)} archs, {ev.DEFAULT_TEST_SIZE:,} "
        f"disjoint test archs, seeds 0..{args.seeds - 1}, the same splits for every predictor. "
        "Spearman mean [95% interval] over seeds: a t-interval on Fisher's z mapped back, so it "
        "stays inside (-1, 1); `(k/n seeds)` = only k of n runs worked (the others predicted a "
        "constant or raised) and the mean is over those k, never bold; `-` = no run worked. "
        "Predictors: `xgb` / `lgbm` = our tuned defaults on the space's default encoding; "
        "`-plus` = the same on one-hot + path encoding + op counts; `-cv` = an 8-configuration "
        "CV search on the training set; `-default` = the library's own defaults; `rf`, `mlp` = "
        "scikit-learn on the default encoding; `params` / `flops` rank by the stored column; "
        "`random` is the floor. Zero-cost proxies and encoding+proxy GBDTs: see "
        "[reproduce/suite-zero-xgb.md](reproduce/suite-zero-xgb.md). GNN encoders beside "
        "`xgb-plus` on every store with a graph form: [predictors_gnn.md](predictors_gnn.md).",
        "",
        f"Timings (wall seconds, n_jobs={args.n_jobs}, {os.cpu_count()} cores; the machine was "
        "shared with other jobs while this ran):",
        "",
        "| benchmark | dataset | sweep | runs | seconds |",
        "|---|---|---|---:|---:|",
        *timings,
        "",
    ]
    if skipped:
        head += [
            f"Skipped (fewer measured archs than the protocol's {need:,} = test + largest train "
            "size):",
            "",
            "| benchmark | dataset | target | measured archs |",
            "|---|---|---|---:|",
            *skipped,
            "",
        ]
    if any(" ± " in text for text in sections):
        head += [
            "Sections whose cells read `mean ± half` come from a run before the intervals and the "
            "failed-run counts above existed (95% t-interval over the seeds that gave a ranking); "
            "rerun them with `--update --bench NAME` to refresh them.",
            "",
        ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text("\n".join(head) + "\n" + "\n".join(sections))
    tmp.replace(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
