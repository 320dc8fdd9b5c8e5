"""``nasbench proxies``: zero-cost proxies over a search space, resumable.

::

    nasbench proxies nb201 --dataset cifar10 --archs all --n-jobs 2
    nasbench proxies nb201 --dataset cifar10 --archs 200 --proxies synflow,nwot --out /tmp/zc
    nasbench proxies nb201 --dataset cifar10 --archs my_archs.txt     # one arch or index a line
    nasbench proxies nb201 --dataset cifar10 --archs all --scheduler tcp://host:8786   # Dask
    nasbench proxies nbgraph --dataset cora --archs 200        # GNNs on the Cora graph
    nasbench proxies nb201 --dataset cifar10 --redo-nonfinite az_nas   # after a numerics fix

Results go to ``--out`` (default ``data/zc/<space>_<dataset>/``) as gzip CSV chunks with a
``manifest.json``; a rerun of the same command resumes where the last one stopped. The store
(``nb201_zc`` for NB201 CIFAR-10) is built from that directory by its recipe
(``nasbench build nb201_zc --force``: a built store is only rebuilt by itself when
pinned raw sources change, which the project's own results are not). Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from nasbench.config import PROJECT_ROOT


def build_parser() -> argparse.ArgumentParser:
    from predictors.zero_cost.table import LOG_SECONDS

    p = argparse.ArgumentParser(
        prog="nasbench proxies",
        description="Compute zero-cost proxies on the networks of a search space.",
    )
    p.add_argument("space", help="search space, e.g. nb201")
    p.add_argument("--dataset", required=True, help="dataset the networks are built for, e.g. cifar10")
    p.add_argument("--archs", default="all",
                   help="'all', a number N (a seeded sample of N archs) or a file with one arch / index a line")
    p.add_argument("--proxies", default="all", help="comma-separated proxy names, or 'all'")
    p.add_argument("--out", default=None,
                   help="results directory (default data/zc/<space>_<dataset>); reruns resume it")
    p.add_argument("--device", default=None, help="torch device, e.g. cuda (default cpu)")
    p.add_argument("--n-jobs", type=int, default=1, help="parallel processes (joblib)")
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads per process (default 1); --n-jobs 1 --threads 2 runs one "
                        "network at a time on 2 cores, at half the memory of --n-jobs 2")
    p.add_argument("--scheduler", default=None,
                   help="Dask scheduler address (tcp://host:8786): one chunk per task on the cluster")
    p.add_argument("--seed", type=int, default=0, help="init, batches and random draws (default 0)")
    p.add_argument("--batch-size", type=int, default=64, help="images per batch (default 64)")
    p.add_argument("--chunk", type=int, default=50, help="archs per checkpoint file (default 50)")
    p.add_argument("--order-seed", type=int, default=0, help="shuffles the run order (default 0)")
    p.add_argument("--no-progress", action="store_true",
                   help=f"no progress bar; for a log: a line on stderr (archs done, pace, time "
                        f"left) every {LOG_SECONDS / 60:.0f} min and at the end")
    p.add_argument("--fill", action="store_true",
                   help="compute the per-cell proxies (params, flops, l2_norm, zen, meco) that rows "
                        "of an existing results folder lack, then stop (resumable; --n-jobs spreads "
                        "its chunks)")
    p.add_argument("--redo-nonfinite", default=None, metavar="PROXIES",
                   help="comma-separated proxies: recompute them where a finished row holds a "
                        "non-finite value (after a fix to their numerics), then stop")
    return p


def _archs(token: str):
    if token == "all":
        return "all"
    if token.isascii() and token.isdigit():
        return int(token)
    path = Path(token)
    if not path.is_file():
        raise ValueError(f"--archs {token!r} is neither 'all', a number nor a file")
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#")]


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``nasbench proxies``; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        from predictors.networks import SPACES
        from predictors.zero_cost import registry, runner, table

        if args.space not in SPACES:
            raise ValueError(f"no network builder for space {args.space!r}; use one of {', '.join(SPACES)}")
        runner.check_dataset(args.space, args.dataset)
        names = [p.name for p in registry.get(args.proxies)]
        if min(args.n_jobs, args.threads, args.chunk) < 1 or args.batch_size < 2:
            raise ValueError("--n-jobs, --threads and --chunk must be >= 1, --batch-size >= 2")
        if args.device and args.device.startswith("cuda"):
            import torch

            if not torch.cuda.is_available():
                raise ValueError(f"--device {args.device}: no CUDA device is available here")
        out = Path(args.out) if args.out else PROJECT_ROOT / "data" / "zc" / f"{args.space}_{args.dataset}"
        if args.fill:
            if not (out / "manifest.json").is_file():
                raise ValueError(f"--fill: {out} holds no results (no manifest.json)")
            n = table.fill(out, device=args.device, progress=not args.no_progress,
                           n_jobs=args.n_jobs, scheduler=args.scheduler)
            print(f"{n} rows given their per-cell proxies in {out}")
            return 0
        if args.redo_nonfinite:
            if not (out / "manifest.json").is_file():
                raise ValueError(f"--redo-nonfinite: {out} holds no results (no manifest.json)")
            redo = [p.name for p in registry.get(args.redo_nonfinite)]
            n = table.redo_nonfinite(out, redo, device=args.device)
            print(f"{n} rows recomputed in {out}")
            return 0
        command = "nasbench proxies " + " ".join(shlex.quote(a) for a in argv)
        done = table.run(
            args.space, args.dataset, _archs(args.archs), names, out,
            seed=args.seed, batch_size=args.batch_size, chunk=args.chunk, n_jobs=args.n_jobs,
            scheduler=args.scheduler, device=args.device, order_seed=args.order_seed, command=command,
            progress=not args.no_progress, threads=args.threads,
        )
    except (KeyError, ValueError, FileNotFoundError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"nasbench proxies: error: {msg}", file=sys.stderr)
        return 2
    print(f"results in {done}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
