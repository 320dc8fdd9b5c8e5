"""RoBoT's proxy combination (``robot``) against GBDTs on the same few labels and single proxies.

Usage::

    .venv/bin/python benchmarks/robot.py [--bench nb201] [--dataset cifar10] \\
        [--target test_accuracy] [--sizes 10,20,50,100,200] [--seeds 10] [--test-size 1000] \\
        [--n-trials 200] [--out benchmarks/results/robot.md]

The protocol of ``predictors.evaluate`` on the archs that have every zero-cost proxy of the
dataset (``restrict=["zc"]``): every predictor sees the same splits (``--test-size`` test archs,
nested training sets drawn from each seed). Predictors:

* ``robot``: ``predictors.robot.RobotPredictor`` on every ``zc/*`` column (registry name);
* ``robot-6``: the same on RoBoT's own six proxies (grad_norm, snip, grasp, fisher, synflow,
  jacov), as its NB201 script combines them;
* ``robot-rho``: ``robot`` with Spearman instead of Kendall as the training objective;
* ``xgb-zc`` (XGBoost on the proxies) and ``xgb-both-plus`` (on the encoding and the proxies), the
  GBDTs of ``predictors.registry``, fitted on the same labels;
* every single proxy ``zc/<proxy>`` (a ranker that learns nothing); the table shows the one with
  the best mean Kendall over the test sets, an oracle choice made on the test sets themselves and
  so an upper bound for picking one proxy in advance.

Writes a markdown report with Kendall and Spearman (mean and 95% interval over seeds, Fisher z),
the mean fit seconds, one sentence per comparison computed from those intervals ("above" or
"below" only where the two intervals do not overlap), the command and its wall time. The file is
rewritten after every seed, so a stopped run leaves a partial (and labelled) report.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NASBENCH_DATA", str(ROOT.parent / "shared" / "data"))

#: RoBoT's NB201 proxies (its search script's defaults, jacob_cov = jacov)
ROBOT_SIX = ("grad_norm", "snip", "grasp", "fisher", "synflow", "jacov")
#: the comparisons the report states, robot against each
RIVALS = ("xgb-zc", "xgb-both-plus", "best single proxy", "robot-6", "robot-rho")


def _models(bench: str, dataset: str, n_trials: int) -> dict:
    from predictors import registry
    from predictors.base import proxy_names
    from predictors.robot import RobotPredictor

    models = {
        "robot": registry.make("robot", bench=bench, dataset=dataset).set_params(n_trials=n_trials),
        "robot-6": RobotPredictor(bench=bench, dataset=dataset, proxies=list(ROBOT_SIX),
                                  n_trials=n_trials),
        "robot-rho": RobotPredictor(bench=bench, dataset=dataset, objective="spearman",
                                    n_trials=n_trials),
        "xgb-zc": registry.make("xgb-zc", bench=bench, dataset=dataset),
        "xgb-both-plus": registry.make("xgb-both-plus", bench=bench, dataset=dataset),
    }
    for metric in proxy_names(bench, dataset, None):
        models[metric] = registry.make(metric, bench=bench, dataset=dataset)
    return models


def _cell(row) -> str:
    return f"{row['mean']:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]"


def _compare(a, b) -> str:
    """``above`` / ``below`` where the intervals do not overlap, else ``level``."""
    if a["ci_low"] > b["ci_high"]:
        return "above"
    if a["ci_high"] < b["ci_low"]:
        return "below"
    return "level"


def report(df, args: argparse.Namespace, command: str, wall: float, seeds_done: int) -> str:
    """The markdown report of one sweep (see the module docstring)."""

    from predictors import evaluate

    summary = evaluate.summarize(df, ["kendall", "spearman", "fit_seconds"])
    proxies = [p for p in dict.fromkeys(df["predictor"]) if p.startswith("zc/")]
    kendall = summary[summary["score"] == "kendall"]
    by_proxy = kendall[kendall["predictor"].isin(proxies)].groupby("predictor")["mean"].mean()
    best_proxy = str(by_proxy.idxmax())
    rows = ["robot", "robot-6", "robot-rho", "xgb-zc", "xgb-both-plus", best_proxy]
    label = {best_proxy: f"best single proxy ({best_proxy})"}
    sizes = sorted(df["train_size"].unique())
    cells = summary.set_index(["predictor", "train_size", "score"])
    a = df.attrs
    done = "" if seeds_done == args.seeds else f" (partial: {seeds_done} of {args.seeds} seeds)"
    lines = [
        f"# RoBoT as a predictor: {args.bench} {args.dataset} {args.target}{done}", "",
        "RoBoT's method (He et al., ICLR 2024) as a predictor: a linear combination of the "
        "store's zero-cost proxies, standardised on the training archs, with weights in [-1, 1] "
        f"found by optuna TPE ({args.n_trials} trials, seeded) maximising Kendall's tau on the "
        "training archs (`predictors.robot`). Protocol of `predictors.evaluate`: "
        f"{a['candidates']:,} candidate archs (those with every zc/* column of "
        f"{args.bench}/{args.dataset}), {a['test_size']:,} test archs, nested training sets, "
        f"seeds {', '.join(str(s) for s in a['seeds'])}; every predictor sees the same splits. "
        "Intervals: 95% over seeds, t on Fisher's z.", "",
        f"`robot` combines all {len(proxies)} proxies ({', '.join(p[3:] for p in proxies)}); "
        f"`robot-6` RoBoT's own six ({', '.join(ROBOT_SIX)}); `robot-rho` maximises Spearman "
        "instead of Kendall. The best single proxy is the one "
        "with the highest mean Kendall over the test sets: chosen on the test sets, so an upper "
        "bound for a proxy picked in advance.", "",
    ]
    for score in ("kendall", "spearman"):
        lines += [f"## {score.capitalize()}", "",
                  "| predictor | " + " | ".join(f"n={s:,}" for s in sizes) + " |",
                  "|---|" + "---:|" * len(sizes)]
        for p in rows:
            vals = [_cell(cells.loc[(p, s, score)]) if (p, s, score) in cells.index else "-"
                    for s in sizes]
            lines.append(f"| {label.get(p, p)} | " + " | ".join(vals) + " |")
        failed = summary[(summary["score"] == score) & summary["predictor"].isin(rows)]["failed"].sum()
        if failed:
            lines += ["", f"{int(failed)} runs failed and are not in the means."]
        lines.append("")
    lines += ["## robot against the others", "",
              "Per training size: *above* / *below* where robot's 95% interval and the other's do "
              "not overlap, *level* where they do (no verdict). In brackets: the mean paired "
              "difference robot minus the other over the seeds (same splits) and its 95% "
              "bootstrap interval, for information; the verdict uses only the overlap rule.", ""]
    runs = df.set_index(["predictor", "train_size", "seed"])
    for score in ("kendall", "spearman"):
        for rival in RIVALS:
            name = best_proxy if rival == "best single proxy" else rival
            parts = []
            for s in sizes:
                r, o = cells.loc[("robot", s, score)], cells.loc[(name, s, score)]
                mean, lo, hi = evaluate.paired_difference(runs.loc[("robot", s), score].to_numpy(),
                                                          runs.loc[(name, s), score].to_numpy())
                parts.append(f"n={s}: {_compare(r, o)} ({mean:+.3f} [{lo:+.3f}, {hi:+.3f}])")
            lines.append(f"- {score.capitalize()}, robot vs {label.get(name, name)}: "
                         + "; ".join(parts) + ".")
    fit = summary[summary["score"] == "fit_seconds"].set_index(["predictor", "train_size"])["mean"]
    lines += ["", "## Mean fit seconds per run", "",
              "One process, one thread per model, wall time on a shared 2-core machine (other "
              "jobs running).", "",
              "| predictor | " + " | ".join(f"n={s:,}" for s in sizes) + " |",
              "|---|" + "---:|" * len(sizes)]
    for p in rows[:5]:
        lines.append(f"| {p} | " + " | ".join(f"{fit.loc[(p, s)]:.2f}" for s in sizes) + " |")
    lines += ["", f"`{command}`: {len(df):,} runs in {wall:.0f} s{done}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="nb201")
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--target", default="test_accuracy")
    parser.add_argument("--sizes", default="10,20,50,100,200")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--test-size", type=int, default=1000)
    parser.add_argument("--n-trials", type=int, default=200)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "robot.md"))
    args = parser.parse_args(argv)

    import pandas as pd

    from predictors import evaluate

    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # torch is not needed here; only keep it off the shared cores
        pass
    command = " ".join(["python benchmarks/robot.py", *(shlex.quote(a) for a in (argv or sys.argv[1:]))])
    models = _models(args.bench, args.dataset, args.n_trials)
    sizes = [int(s) for s in args.sizes.split(",")]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    parts = []
    for seed in range(args.seeds):
        parts.append(evaluate.evaluate(args.bench, args.dataset, args.target, models,
                                       train_sizes=sizes, test_size=args.test_size, seeds=[seed],
                                       restrict=["zc"], progress=False))
        df = pd.concat(parts, ignore_index=True)
        df.attrs.update(parts[0].attrs, seeds=sorted(df["seed"].unique().tolist()))
        text = report(df, args, command, time.perf_counter() - start, len(parts))
        tmp = out.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(out)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
