"""Parameter counts (and FLOPs where published) of ``predictors.networks`` against every published one.

Too slow for the test suite (tens of thousands of networks); ``tests/test_networks.py`` checks
seeded samples. Networks are built on the ``meta`` device (no memory, no init), one thread.
Writes ``benchmarks/results/network_params_<space>.md`` per space: archs checked, exact matches,
the largest absolute difference, and what differs. NB201 has its own script
(``benchmarks/network_params_nb201.py``).

Usage::

    NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/network_params.py
    .venv/bin/python benchmarks/network_params.py --spaces nbmacro,nats_sss --graph-sample 0

``--graph-sample N`` checks a seeded N-arch sample on the NAS-Bench-Graph datasets other than
cora, citeseer and physics (those three are always complete); 0 = all 26,206 everywhere.
``--sss-sample N`` likewise for the NATS-sss comparison with the store's computed column (the
three official records are always checked).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # before benchmarks/ (whose predictors.py would shadow the package)
os.environ.setdefault("NASBENCH_DATA", str(ROOT.parent / "shared" / "data"))

import nasbench  # noqa: E402
from predictors import networks  # noqa: E402

torch.set_num_threads(1)
RESULTS = ROOT / "benchmarks" / "results"
SPACES = ("nb101", "nbmacro", "nats_sss", "darts", "nbgraph")


def count(space: str, arch: str, dataset: str, **kwargs: object) -> int:
    with torch.device("meta"):
        net = networks.build(space, arch, dataset, **kwargs)
    return sum(p.numel() for p in net.parameters())


def compare(label: str, archs: list[str], ours: Iterable[int], theirs: np.ndarray) -> dict:
    """One table row: how many of ``ours`` equal ``theirs`` (integers), the largest difference."""
    ours = np.fromiter(ours, dtype=np.int64, count=len(archs))
    diff = ours - theirs
    bad = np.flatnonzero(diff)
    return {
        "what": label,
        "checked": len(archs),
        "exact": int(len(archs) - bad.size),
        "max_abs_diff": int(np.abs(diff).max()) if len(archs) else 0,
        "examples": [(archs[i], int(ours[i]), int(theirs[i])) for i in bad[:3]],
        "diff": diff,
        "ours": ours,
    }


def published(bench: nasbench.Benchmark, archs: list[str], dataset: str, metric: str) -> np.ndarray:
    return np.rint(bench.query(archs, dataset, metric) * 1e6).astype(np.int64)


def with_values(bench: nasbench.Benchmark, dataset: str, metric: str) -> list[str]:
    values = bench.query(list(bench.archs), dataset, metric)
    return [a for a, v in zip(bench.archs, values) if np.isfinite(v)]


# -- per space ------------------------------------------------------------------------------------


def check_nb101(args: argparse.Namespace) -> tuple[list[dict], list[str]]:
    bench = nasbench.load("nb101")
    # the 20,001-row partial table: the rows with a published train time
    archs = [a for a, t in zip(bench.archs, bench.query(list(bench.archs), "cifar10", "train_time"))
             if np.isfinite(t)]
    ours = [count("nb101", a, "cifar10") for a in archs]
    rows = [compare("cifar10 `params` (store)", archs, ours, published(bench, archs, "cifar10", "params"))]
    notes = []
    raw = nasbench.data_root() / "nb101" / "nasbench-vis-partial" / "data-20k.json"
    if raw.is_file():
        table = json.loads(raw.read_text())
        by_hash = dict(zip(table["key"], table["trainable_parameters"]))
        hashes = [bench.space.canonical_hash(a) for a in archs]
        theirs = np.array([by_hash.get(h, -1) for h in hashes], dtype=np.int64)
        rows.append(compare("`trainable_parameters` of data-20k.json, by module hash", archs,
                            rows[0]["ours"], theirs))
        notes.append(f"{sum(h in by_hash for h in hashes):,} of {len(archs):,} store archs found by "
                     "their official hash in the raw file.")
    return rows, notes


def check_nbmacro(args: argparse.Namespace) -> tuple[list[dict], list[str]]:
    from predictors.networks.nbmacro import flops

    bench = nasbench.load("nbmacro")
    archs = list(bench.archs)
    counts, fl = [], []
    for a in archs:
        with torch.device("meta"):
            net = networks.build("nbmacro", a, "cifar10")
        counts.append(sum(p.numel() for p in net.parameters()))
        fl.append(flops(net))
    return [
        compare("cifar10 `params`", archs, counts, published(bench, archs, "cifar10", "params")),
        compare("cifar10 `flops` (the benchmark's counter)", archs, fl,
                published(bench, archs, "cifar10", "flops")),
    ], []


def check_nats_sss(args: argparse.Namespace) -> tuple[list[dict], list[str]]:
    bench = nasbench.load("nats_sss")
    rows = []
    official = ["8:8:8:8:8", "8:8:8:16:32", "8:8:40:32:40"]
    for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
        rows.append(compare(f"{dataset}: the 3 official records (archs 0, 11, 284)", official,
                            [count("nats_sss", a, dataset) for a in official],
                            published(bench, official, dataset, "params")))
    rng = np.random.default_rng(0)
    for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
        archs, label = list(bench.archs), "all archs"
        if args.sss_sample and args.sss_sample < len(archs):
            pick = np.sort(rng.choice(len(archs), args.sss_sample, replace=False))
            archs, label = [archs[i] for i in pick], f"a seeded {args.sss_sample:,}-arch sample"
        rows.append(compare(f"{dataset}: store `params` of {label} (counted from the channel plan)",
                            archs, (count("nats_sss", a, dataset) for a in archs),
                            published(bench, archs, dataset, "params")))
    notes = ["Only 3 NATS-sss archs have official records here; the store's full `params` column is "
             "computed by `nasbench.spaces.nats_sss` from the channel plan, so the store rows compare "
             "two independent implementations (the network here, the formula there)."]
    return rows, notes


def check_darts(args: argparse.Namespace) -> tuple[list[dict], list[str]]:
    bench = nasbench.load("nb301")
    archs = with_values(bench, "cifar10", "params")
    theirs = published(bench, archs, "cifar10", "params")
    plain = compare("cifar10 `params` (NASLib), affine=False op BNs", archs,
                    (count("darts", a, "cifar10", affine=False) for a in archs), theirs)
    trained = compare("cifar10 `params` (NASLib), affine=True op BNs (as trained)", archs,
                      (count("darts", a, "cifar10") for a in archs), theirs)
    rel = trained["diff"] / theirs
    extra = []
    for dataset in ("svhn", "scifar100", "ninapro"):
        more = with_values(bench, dataset, "params")
        extra.append(compare(f"{dataset} `params` (NASLib, Suite-Zero), affine=False op BNs", more,
                             (count("darts", a, dataset, affine=False) for a in more),
                             published(bench, more, dataset, "params")))
    notes = [
        "C=32, 8 cells, no auxiliary head. NASLib builds DARTS ops with non-affine BatchNorms; "
        "with `affine=False` the count is NASLib's exactly. The network NB301 trained has affine "
        f"BNs: it has {rel.min():.2%} to {rel.max():.2%} more parameters, exactly the ops' BN "
        "scale and shift (checked by `tests/test_networks.py`).",
    ]
    notes.append("svhn / scifar100 / ninapro: NAS-Bench-360 tasks with NASLib's input channels and "
                 "classes (3 / 3 / 1 channels; 10 / 100 / 18 classes; `predictors.networks.DATASETS`).")
    return [plain, trained, *extra], notes


def check_nbgraph(args: argparse.Namespace) -> tuple[list[dict], list[str]]:
    from predictors.networks.nbgraph import HPARAMS

    bench = nasbench.load("nbgraph")
    all_archs = list(bench.archs)
    rng = np.random.default_rng(0)
    rows, notes = [], []
    for dataset in HPARAMS:
        archs = with_values(bench, dataset, "params")
        if args.graph_sample and dataset not in ("cora", "citeseer", "physics") and len(archs) > args.graph_sample:
            pick = np.sort(rng.choice(len(archs), args.graph_sample, replace=False))
            archs = [archs[i] for i in pick]
            label = f"{dataset} (seeded sample)"
        else:
            label = dataset
        row = compare(label, archs, (count("nbgraph", a, dataset) for a in archs),
                      published(bench, archs, dataset, "params"))
        rows.append(row)
        if row["exact"] < row["checked"]:
            bad = np.flatnonzero(row["diff"])
            theirs = row["ours"] - row["diff"]
            own = set(row["ours"].tolist())
            elsewhere = sum(int(theirs[i]) in own for i in bad)
            below = sum(int(theirs[i]) < 0.5 * row["ours"][i] for i in bad)
            values, counts = np.unique(theirs, return_counts=True)
            shared = sum(counts[np.searchsorted(values, theirs[i])] > 1 for i in bad)
            first = Counter(archs[i].split("|")[1].split(",")[0] for i in bad)
            everywhere = Counter(a.split("|")[1].split(",")[0] for a in archs)
            share = ", ".join(f"{op} {n:,}/{everywhere[op]:,}" for op, n in first.most_common())
            notes.append(
                f"{dataset}: {bad.size:,} archs differ; {elsewhere:,} of their published counts equal "
                f"our count of some other arch on {dataset}, {below:,} are under half of ours; "
                f"{shared:,} of them are values that other {dataset} archs have too (copied "
                f"values?). Differing archs by the op of node 1 (differing/all): {share}. "
                f"{len(all_archs) - len(archs) if label == dataset else 0} archs have no value."
            )
    notes.append("`proteins` (ogbn-proteins, sparse adjacency, 112 binary targets) is not built.")
    return rows, notes


CHECKS: dict[str, Callable[[argparse.Namespace], tuple[list[dict], list[str]]]] = {
    "nb101": check_nb101,
    "nbmacro": check_nbmacro,
    "nats_sss": check_nats_sss,
    "darts": check_darts,
    "nbgraph": check_nbgraph,
}


def _short(arch: str, limit: int = 60) -> str:
    return arch if len(arch) <= limit else arch[: limit - 3] + "..."


def write(
    space: str, rows: list[dict], notes: list[str], seconds: float, cpu: float, command: str
) -> Path:
    lines = [
        f"# Network parameter counts: {space}",
        "",
        "```",
        command,
        "```",
        "",
        f"Wall time {seconds:,.0f} s, CPU time {cpu:,.0f} s (1 torch thread, networks on the meta "
        "device; the 2-core machine was shared with other jobs, so wall time overstates the cost).",
        "",
        "| compared with | archs | exact | max abs diff | first differences (arch: ours vs published) |",
        "|---|---:|---:|---:|---|",
    ]
    for r in rows:
        ex = "; ".join(f"`{_short(a)}`: {o:,} vs {t:,}" for a, o, t in r["examples"]) or "-"
        lines.append(f"| {r['what']} | {r['checked']:,} | {r['exact']:,} | {r['max_abs_diff']:,} | {ex} |")
    if notes:
        lines += [""] + [f"- {n}" for n in notes]
    path = RESULTS / f"network_params_{space}.md"
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spaces", default=",".join(SPACES),
                        help=f"comma-separated subset of {', '.join(SPACES)}")
    parser.add_argument("--graph-sample", type=int, default=2000,
                        help="NAS-Bench-Graph sample size for the other datasets (0 = all)")
    parser.add_argument("--sss-sample", type=int, default=3000,
                        help="NATS-sss sample size per dataset for the store comparison (0 = all 32,768)")
    args = parser.parse_args(argv)
    spaces = [s.strip() for s in args.spaces.split(",") if s.strip()]
    unknown = [s for s in spaces if s not in CHECKS]
    if unknown:
        print(f"network_params: unknown space {unknown[0]!r}; use {', '.join(SPACES)}", file=sys.stderr)
        return 2
    command = "NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/network_params.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    for space in spaces:
        start, cpu_start = time.perf_counter(), time.process_time()
        rows, notes = CHECKS[space](args)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        path = write(space, rows, notes, seconds, cpu, command.strip())
        for r in rows:
            print(f"{space:9s} {r['what'][:60]:60s} {r['exact']:>7,}/{r['checked']:<7,} "
                  f"max|diff| {r['max_abs_diff']:,}")
        print(f"{space}: {seconds:,.0f} s -> {path}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
