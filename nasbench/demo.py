"""The end-to-end demo behind ``make demo``: every store, the best architectures, a query, a verdict.

Run ``python -m nasbench.demo`` (after ``make stores``; missing stores are built on the way).
``--quick`` skips the predictor comparison.
"""

from __future__ import annotations

import argparse
import sys

import nasbench


def show_stores() -> None:
    print("Stores built from the published raw files")
    print(f"{'benchmark':<22}{'space':<16}{'archs':>8}  datasets")
    for name in nasbench.available():
        try:
            bench = nasbench.load(name)
        except nasbench.NasbenchError as exc:  # e.g. computed results not made yet: say so, go on
            print(f"{name:<22}(not built: {' '.join(str(exc).split())[:150]})")
            continue
        print(f"{name:<22}{bench.space.name:<16}{len(bench):>8,}  {', '.join(bench.datasets)}")
    print()


def show_nb201() -> None:
    nb = nasbench.load("nb201")
    print(nb, "\n")
    for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
        top = nb.top(dataset, "test_accuracy", k=3)
        print(f"Best 200-epoch test accuracy on {dataset}:")
        for arch, row in top.iterrows():
            print(f"  {row['test_accuracy']:6.2f} %  index {int(row['index']):>5}  {arch}")
    print()
    arch = nb.archs[1]
    print(f"Query: nb.query({arch!r}, 'cifar10', 'test_accuracy') = "
          f"{nb.query(arch, 'cifar10', 'test_accuracy'):.4f}")
    print(nb.describe("cifar10", "test_accuracy"), "\n")


def show_verdict() -> None:
    try:
        from predictors.evaluate import evaluate, leaderboard_markdown
    except ImportError as exc:  # predictors' extras not installed
        print(f"(predictor comparison skipped: {exc})")
        return
    runs = evaluate(
        "nb201", "cifar10", "test_accuracy",
        predictors=["xgb-plus", "lgbm", "rf", "params", "random"],
        train_sizes=[100, 1000], test_size=1000, seeds=3, n_jobs=2,
    )
    print(leaderboard_markdown(
        runs, title="Predictors on NB201 cifar10 test accuracy (Spearman, 1,000 test archs, 3 seeds)"
    ))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nasbench.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the predictor comparison")
    args = parser.parse_args(argv)
    show_stores()
    show_nb201()
    if not args.quick:
        show_verdict()
    return 0


if __name__ == "__main__":
    sys.exit(main())
