"""Speed of nasbench.calibration's vectorised binned metrics against per-bin-count loops.

The case of issue 14: 100 bin counts (5, 10, ..., 500) x 10,000 samples x 100 classes. Timed in
the same run, one thread:

* ``vectorised``: ``cal.ece(probs, labels, n_bins=bins)`` (one sort, all bin counts at once);
* ``loop of calls``: ``[cal.ece(probs, labels, b) for b in bins]``;
* ``per-bin loop``: the reference algorithm (the bank's ``get_ece``: for each bin count, for each
  bin, a boolean mask and two means), the baseline.

and the same for equal-mass ECE, MCE and class-wise ECE where a baseline exists. Values are
checked equal before timing. Probabilities are a softmax of random logits (timing does not
depend on the values). Prints a markdown table; ``--out FILE`` also writes it.

    .venv/bin/python benchmarks/calibration_speed.py --out benchmarks/results/calibration_speed.md
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nasbench import calibration as cal  # noqa: E402


def reference_ece(probs: np.ndarray, labels: np.ndarray, b: int) -> float:
    """The bank's get_ece algorithm: a mask and two means per bin."""
    edges = np.linspace(0, 1, b + 1)
    conf, pred = probs.max(1), probs.argmax(1)
    acc = pred == labels
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        prop = m.mean()
        if prop > 0:
            total += abs(conf[m].mean() - acc[m].mean()) * prop
    return total


def reference_mce(probs: np.ndarray, labels: np.ndarray, b: int) -> float:
    edges = np.linspace(0, 1, b + 1)
    conf, pred = probs.max(1), probs.argmax(1)
    acc = pred == labels
    best = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            best = max(best, abs(conf[m].mean() - acc[m].mean()))
    return best


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv: list[str] | None = None) -> str:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--classes", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(args.n, args.classes)).astype(np.float32) * 3
    labels = rng.integers(0, args.classes, args.n)
    logits[np.arange(args.n // 2), labels[: args.n // 2]] += 4
    probs = cal.softmax(logits)
    bins = list(range(5, 501, 5))

    rows = []

    def case(name, vec, loop, ref):
        v = vec()
        np.testing.assert_allclose(v, loop(), rtol=1e-9, atol=1e-12)
        if ref is not None:
            np.testing.assert_allclose(v, ref(), rtol=1e-6, atol=1e-9)
        tv = best_of(vec, args.repeat)
        tl = best_of(loop, 1)
        tr = best_of(ref, 1) if ref is not None else float("nan")
        rows.append((name, tv, tl, tr))

    case("ECE (equal width)", lambda: cal.ece(probs, labels, bins),
         lambda: [cal.ece(probs, labels, b) for b in bins],
         lambda: [reference_ece(probs, labels, b) for b in bins])
    case("ECE (equal mass)", lambda: cal.ece(probs, labels, bins, "mass"),
         lambda: [cal.ece(probs, labels, b, "mass") for b in bins], None)
    case("MCE", lambda: cal.mce(probs, labels, bins),
         lambda: [cal.mce(probs, labels, b) for b in bins],
         lambda: [reference_mce(probs, labels, b) for b in bins])
    case("class-wise ECE (equal width)", lambda: cal.classwise_ece(probs, labels, bins),
         lambda: [cal.classwise_ece(probs, labels, b) for b in bins], None)
    case("ACE (class-wise, equal count)", lambda: cal.classwise_ece(probs, labels, bins, "mass"),
         lambda: [cal.classwise_ece(probs, labels, b, "mass") for b in bins], None)
    t_all = best_of(lambda: cal.metrics(probs, labels), args.repeat)

    lines = [
        "# Calibration metric speed",
        "",
        f"`{' '.join(['.venv/bin/python', 'benchmarks/calibration_speed.py', *(argv or sys.argv[1:])])}`",
        "",
        f"{len(bins)} bin counts (5, 10, ..., 500) x {args.n:,} samples x {args.classes} classes, "
        f"float32 softmax of random logits; vectorised: best of {args.repeat}, loops: 1 run; one thread; "
        f"{platform.processor() or platform.machine()}, numpy {np.__version__}. The machine was "
        "shared with other jobs, so absolute times are noisy; the ratios are from the same run.",
        "",
        "| metric | vectorised, all bin counts (s) | loop of single-bin-count calls (s) | "
        "per-bin reference loop, the bank's algorithm (s) | speed-up vs reference |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, tv, tl, tr in rows:
        ratio = f"{tr / tv:.0f}x" if np.isfinite(tr) else "–"
        ref = f"{tr:.3f}" if np.isfinite(tr) else "–"
        lines.append(f"| {name} | {tv:.4f} | {tl:.4f} | {ref} | {ratio} |")
    lines += [
        "",
        f"All bank columns for one network (`cal.metrics`, 9 bin counts x 5 binned families + "
        f"KSCE, KDECE, MMCE, NLL, Brier) on the same {args.n:,} x {args.classes} input: "
        f"{t_all:.3f} s.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    return text


if __name__ == "__main__":
    main()
