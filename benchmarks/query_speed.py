"""Query speed and memory of every store, against two baselines holding the same data.

Baselines (built here from the same NB201 store, so the data is identical):
* **pandas**: one DataFrame per dataset, index = arch string, one column per metric; lookups with
  ``df.loc[arch, metric]`` (the usual notebook approach).
* **per-arch pickles**: one bz2 pickle per arch holding all its metrics, read on demand, as the
  official NATS-Bench API's fast mode reads its ``<index>.pickle.pbz2`` records.

Targets (issue #3): open the store and answer the first query < 100 ms; one-arch query median
<= 5 us; one metric for all 15,625 archs < 2 ms; resident memory added by a loaded store < 100 MB;
single lookups >= 10x faster than the pandas baseline. Machines are noisy, so every figure is a
median over repeats, and comparisons are ratios measured in the same run.

Usage::

    python benchmarks/query_speed.py                  # all built stores; builds missing ones
    python benchmarks/query_speed.py --rebuild        # also time building every store from raw files
    python benchmarks/query_speed.py --stores nb201 --out /tmp/speed.md
"""

from __future__ import annotations

import argparse
import bz2
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import nasbench
from nasbench import recipes

RESULTS = Path(__file__).resolve().parent / "results" / "query_speed.md"

# Runs in a fresh interpreter: cold open + first query, and memory added by the loaded store.
PROBE = r"""
import json, sys, time
def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
t0 = time.perf_counter()
import nasbench, h5py, numpy
t_import = time.perf_counter() - t0
base = rss_mb()
t1, c1 = time.perf_counter(), time.process_time()
bench = nasbench.Benchmark(sys.argv[1])
value = bench.query(bench.archs[len(bench) // 2], sys.argv[2], sys.argv[3])
t_first, c_first = time.perf_counter() - t1, time.process_time() - c1
after_first = rss_mb()
for d in bench.datasets:                       # worst case: every array of the store in memory
    for m in bench.metrics(d):
        for b in bench.budgets(d, m):
            bench.values(d, m, budget=b)
print(json.dumps({"import_s": t_import, "open_first_s": t_first, "open_first_cpu_s": c_first,
                  "rss_first_mb": after_first - base, "rss_all_mb": rss_mb() - base}))
"""


def probe(path: Path, dataset: str, metric: str, repeats: int) -> dict[str, float]:
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", PROBE, str(path), dataset, metric],
                capture_output=True, text=True, check=True,
            ).stdout
        )
        for _ in range(repeats)
    ]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def per_call_us(fn, args_list, batch: int = 1000, batches: int = 15) -> float:
    """Median over batches of the mean time per call, in microseconds."""
    means = []
    n = len(args_list)
    for b in range(batches):
        chunk = [args_list[(b * batch + i) % n] for i in range(batch)]
        t = time.perf_counter()
        for a in chunk:
            fn(a)
        means.append((time.perf_counter() - t) / batch * 1e6)
    return statistics.median(means)


def median_ms(fn, repeats: int = 20) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def first_metric(bench: nasbench.Benchmark) -> tuple[str, str]:
    """A representative (dataset, metric): the first dataset's first accuracy-like metric."""
    for d in bench.datasets:
        for m in bench.metrics(d):
            if "accuracy" in m:
                return d, m
    d = bench.datasets[0]
    return d, bench.metrics(d)[0]


def measure_store(name: str, repeats: int) -> dict[str, object]:
    bench = nasbench.load(name)
    dataset, metric = first_metric(bench)
    cold = probe(bench.path, dataset, metric, repeats)
    rng = np.random.default_rng(0)
    picks = [bench.archs[i] for i in rng.integers(0, len(bench), size=5000)]
    bench.query(picks[0], dataset, metric)
    single = per_call_us(lambda a: bench.query(a, dataset, metric), picks)
    all_rows = np.arange(len(bench))
    all_strings = list(bench.archs)
    return {
        "store": name,
        "archs": len(bench),
        "arrays": sum(len(bench.metrics(d)) for d in bench.datasets),
        "size_mb": bench.path.stat().st_size / 2**20,
        "query": f"{dataset} / {metric}",
        "open_first_ms": cold["open_first_s"] * 1e3,
        "open_first_cpu_ms": cold["open_first_cpu_s"] * 1e3,
        "import_ms": cold["import_s"] * 1e3,
        "single_us": single,
        "all_values_ms": median_ms(lambda: bench.values(dataset, metric)),
        # ints are official indices; a store whose rows are not those is timed by its rows
        "all_indices_ms": median_ms(lambda: bench.query(all_rows, dataset, metric))
        if bench.official_index else median_ms(lambda: bench.values(dataset, metric)[all_rows]),
        "all_strings_ms": median_ms(lambda: bench.query(all_strings, dataset, metric)),
        "rss_first_mb": cold["rss_first_mb"],
        "rss_all_mb": cold["rss_all_mb"],
    }


def nb201_baselines(workdir: Path, dataset: str = "cifar10", metric: str = "test_accuracy") -> dict[str, float]:
    """pandas and per-arch-pickle baselines holding the nb201 store's data."""
    bench = nasbench.load("nb201")
    frames = {d: bench.frame(d) for d in bench.datasets}
    df = frames[dataset]
    rng = np.random.default_rng(0)
    picks = [bench.archs[i] for i in rng.integers(0, len(bench), size=5000)]
    pandas_single = per_call_us(lambda a: df.loc[a, metric], picks, batch=200)
    pandas_all = median_ms(lambda: df.loc[bench.archs, metric].to_numpy(), repeats=10)
    # NATS-style: one bz2 pickle per arch with every dataset's metrics for that arch
    folder = workdir / "per_arch"
    folder.mkdir()
    columns = {d: {m: f[m].to_numpy() for m in f.columns} for d, f in frames.items()}
    t = time.perf_counter()
    for i, arch in enumerate(bench.archs):
        record = {"arch": arch, **{d: {m: float(v[i]) for m, v in cols.items()} for d, cols in columns.items()}}
        with bz2.open(folder / f"{i:06d}.pickle.pbz2", "wb") as fh:
            pickle.dump(record, fh, protocol=pickle.HIGHEST_PROTOCOL)
    write_s = time.perf_counter() - t

    def pickle_lookup(i: int) -> float:
        with bz2.open(folder / f"{i:06d}.pickle.pbz2", "rb") as fh:
            return pickle.load(fh)[dataset][metric]

    idx = rng.integers(0, len(bench), size=2000).tolist()
    pickle_single = per_call_us(pickle_lookup, idx, batch=100, batches=9)
    t = time.perf_counter()
    for i in range(len(bench)):
        pickle_lookup(i)
    pickle_all = (time.perf_counter() - t) * 1e3
    return {
        "pandas_single_us": pandas_single,
        "pandas_all_ms": pandas_all,
        "pickle_single_us": pickle_single,
        "pickle_all_ms": pickle_all,
        "pickle_write_s": write_s,
    }


def build_times(names: list[str]) -> dict[str, float]:
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            recipe = recipes.get(name)
            t = time.perf_counter()
            recipe.build(Path(tmp) / f"{name}.h5", progress=False)
            out[name] = time.perf_counter() - t
    return out


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(rows, base, builds, command: str) -> str:
    nb = next(r for r in rows if r["store"] == "nb201")
    lines = [
        "# Query speed and memory",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, numpy {np.__version__}, load average at the end "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; medians over repeats, all figures "
        "from one run.",
        "",
        "## NB201 against the baselines (same data, same run)",
        "",
        "| measure | nasbench | pandas `.loc` | per-arch bz2 pickles (NATS fast mode) | target | verdict |",
        "|---|---|---|---|---|---|",
        f"| open + first query (fresh process) | {nb['open_first_ms']:.1f} ms | - | - | < 100 ms | {verdict(nb['open_first_ms'] < 100)} |",
        f"| the same, CPU time of the process (robust to a loaded machine) | {nb['open_first_cpu_ms']:.1f} ms | - | - | < 100 ms | {verdict(nb['open_first_cpu_ms'] < 100)} |",
        f"| one-arch query, median | {nb['single_us']:.2f} us | {base['pandas_single_us']:.2f} us | {base['pickle_single_us']:.1f} us | <= 5 us | {verdict(nb['single_us'] <= 5)} |",
        f"| speed-up of single lookups vs pandas | {base['pandas_single_us'] / nb['single_us']:.0f}x | 1x | {base['pandas_single_us'] / base['pickle_single_us']:.2f}x | >= 10x | {verdict(base['pandas_single_us'] / nb['single_us'] >= 10)} |",
        f"| one metric, all 15,625 archs (by index) | {nb['all_indices_ms']:.3f} ms | {base['pandas_all_ms']:.2f} ms (by string) | {base['pickle_all_ms']:.0f} ms | < 2 ms | {verdict(nb['all_indices_ms'] < 2)} |",
        f"| one metric, all 15,625 archs (by string) | {nb['all_strings_ms']:.3f} ms | {base['pandas_all_ms']:.2f} ms | - | < 2 ms | {verdict(nb['all_strings_ms'] < 2)} |",
        f"| memory added by the loaded store (first query / every array) | {nb['rss_first_mb']:.1f} / {nb['rss_all_mb']:.1f} MB | - | - | < 100 MB | {verdict(nb['rss_all_mb'] < 100)} |",
        "",
        f"`import nasbench, h5py` in a fresh process: {nb['import_ms']:.0f} ms (not counted in \"open\"). "
        f"Writing the 15,625 per-arch pickles took {base['pickle_write_s']:.1f} s.",
        "",
        "## Every store",
        "",
        "| store | archs | arrays | file MB | query | open + first (wall / CPU) | one arch | all archs (values / indices, rows where indices are not rows / strings) | memory (first / all arrays) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['store']} | {r['archs']:,} | {r['arrays']} | {r['size_mb']:.1f} | {r['query']} | "
            f"{r['open_first_ms']:.1f} / {r['open_first_cpu_ms']:.1f} ms | {r['single_us']:.2f} us | {r['all_values_ms']:.4f} / "
            f"{r['all_indices_ms']:.3f} / {r['all_strings_ms']:.3f} ms | "
            f"{r['rss_first_mb']:.1f} / {r['rss_all_mb']:.1f} MB |"
        )
    if builds:
        lines += ["", "## Build time from raw files", "", "| store | seconds |", "|---|---|"]
        lines += [f"| {k} | {v:.1f} |" for k, v in builds.items()]
        lines.append(f"| **all** | **{sum(builds.values()):.1f}** |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", default="all", help="comma-separated names, or 'all'")
    parser.add_argument("--rebuild", action="store_true", help="also time building every store")
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per cold measure")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    names = nasbench.available() if args.stores == "all" else args.stores.split(",")
    if "nb201" not in names:
        names.insert(0, "nb201")
    builds = build_times(names) if args.rebuild else {}
    rows = []
    for name in names:
        if not nasbench.load(name).datasets:  # e.g. a store whose results are still being computed
            print(f"{name}: no datasets, skipped", file=sys.stderr)
            continue
        rows.append(measure_store(name, args.repeats))
        print(json.dumps(rows[-1]), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        base = nb201_baselines(Path(tmp))
    print(json.dumps(base))
    command = "python benchmarks/query_speed.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report(rows, base, builds, command.strip())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
