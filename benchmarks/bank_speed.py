"""Bank training speed: channels-last layout vs the default layout, same run, same cells.

Trains a few cells of a bank's recipe (``data/bank/<name>/recipe.json``, epochs cut to
``--epochs``) twice each, once per memory layout (``train_arch(..., channels_last=)``), one torch
thread, alternating the order per cell so drift in machine load falls on both. Prints and writes
``benchmarks/results/bank_speed.md``: per cell the CPU seconds of each layout, the ratio, and how
far the final test accuracy moved (float rounding of other kernels, amplified by training).

    .venv/bin/python benchmarks/bank_speed.py [--bank data/bank/nb201_cifar10_e10] [--cells 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NASBENCH_DATA", str(ROOT.parent / "shared" / "data"))

from predictors import bank  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "bank_speed.md"


def _train(arch: str, recipe: bank.BankRecipe, channels_last: bool) -> tuple[float, float]:
    t0 = time.process_time()
    rec = bank.train_arch(arch, recipe, threads=1, channels_last=channels_last)
    return time.process_time() - t0, rec["test_accuracy"][-1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bank", default="data/bank/nb201_cifar10_e10")
    ap.add_argument("--cells", type=int, default=3, help="cells from the bank's results, in order")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    recipe = bank.read_recipe(ROOT / args.bank)
    if recipe is None:
        raise SystemExit(f"error: {args.bank} has no recipe.json; give a bank folder")
    recipe = dataclasses.replace(recipe, epochs=args.epochs, calib_epochs=(args.epochs,))
    archs = [r["arch"] for r in bank.read_results(ROOT / args.bank)[: args.cells]]
    bank._data(recipe, "cpu")  # load the images once, outside the timings
    rows = []
    for i, arch in enumerate(archs):
        order = (False, True) if i % 2 == 0 else (True, False)
        got = {cl: _train(arch, recipe, cl) for cl in order}
        rows.append((arch, got[False], got[True]))
        print(f"{arch}: default {got[False][0]:.1f} s, channels-last {got[True][0]:.1f} s, "
              f"ratio {got[False][0] / got[True][0]:.2f}x", flush=True)
    default = np.array([r[1][0] for r in rows])
    last = np.array([r[2][0] for r in rows])
    moved = np.array([abs(r[1][1] - r[2][1]) for r in rows])
    lines = [
        "# Bank training: channels-last vs default memory layout",
        "",
        f"Command: `.venv/bin/python benchmarks/bank_speed.py {shlex.join(argv or sys.argv[1:])}`",
        f"Recipe: `{args.bank}` with {args.epochs} epochs; process CPU seconds per cell, one "
        "torch thread, both layouts in the same run.",
        "",
        "| cell | default (s) | channels-last (s) | ratio | test accuracy default / channels-last |",
        "|---|---:|---:|---:|---|",
    ]
    for arch, (td, ad), (tl, al) in rows:
        lines.append(f"| `{arch.replace('|', chr(92) + '|')}` | {td:.1f} | {tl:.1f} | "
                     f"{td / tl:.2f}x | {ad:.2f} / {al:.2f} |")
    lines += [
        f"| **total** | {default.sum():.1f} | {last.sum():.1f} | "
        f"{default.sum() / last.sum():.2f}x | |",
        "",
        f"Channels-last took {last.sum() / default.sum():.0%} of the default layout's CPU time "
        f"over {len(rows)} cells; the final test accuracy moved by at most {moved.max():.2f} "
        "points between layouts.",
    ]
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines[-1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
