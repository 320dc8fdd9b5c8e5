"""Our NB201 proxies against accuracy and against other people's scores of the same cells.

Reads one or more proxy results directories (``nasbench proxies`` output: chunk-*.csv.gz) and
prints, per metric, over the cells scored:
- Spearman with the 200-epoch seed-mean CIFAR-10 test accuracy (``nb201`` store), beside the
  published full-space values (VKDNW's reruns / GradSign's paper in
  ``../shared/reference/zc_proxies_nb201_all.csv``; Suite-Zero's figure in
  ``suite_zero_spearman.csv``, whose target is validation accuracy);
- Spearman between our scores and NAS-Bench-Suite-Zero's (``nb201`` ``cifar10`` ``zc/<proxy>``)
  and zero-cost-nas's reference run (``cifar10-valid`` ``zc/<proxy>``, archs 0..199) over the
  shared cells: the same proxy computed by other code on another batch and init.
The AZ-NAS aggregate is formed over the scored cells (``nasbench.recipes.nb201_zc``).
Writes ``benchmarks/results/proxy_validation.md``.

Usage::

    NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/proxy_validation.py DIR [DIR ...]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NASBENCH_DATA", str(ROOT.parent / "shared" / "data"))

import nasbench  # noqa: E402
from nasbench.recipes.nb201_zc import AZ_COMPONENTS, rank_aggregate  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "proxy_validation.md"
REF = ROOT.parent / "shared" / "reference"
_NOT = {"index", "arch", "reasons", "seconds"}


def _rho(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    ok = np.isfinite(a) & np.isfinite(b)
    return (float(spearmanr(a[ok], b[ok])[0]) if ok.sum() > 3 else float("nan")), int(ok.sum())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--out", default=str(OUT), help="markdown file to write")
    args = ap.parse_args()
    frames = [pd.read_csv(f) for d in args.dirs for f in sorted(Path(d).glob("chunk-*.csv.gz"))]
    df = pd.concat(frames, ignore_index=True)
    # one row per cell: a later file's value fills what an earlier one lacks
    df = df.groupby("index", sort=True).first().reset_index()
    comps = [f"az_nas.{c}" for c in AZ_COMPONENTS]
    if all(c in df for c in comps):
        df["az_nas"] = rank_aggregate([df[c].to_numpy(float) for c in comps])
    nb = nasbench.load("nb201")
    idx = df["index"].tolist()
    acc = nb.query(idx, "cifar10", "test_accuracy")
    sz_metrics = set(nb.metrics("cifar10"))
    zcn_metrics = set(nb.metrics("cifar10-valid"))
    vk = pd.read_csv(REF / "zc_proxies_nb201_all.csv").set_index("proxy")["cifar10_spearman"]
    sz = pd.read_csv(REF / "suite_zero_spearman.csv").set_index("benchmark").loc["NB201-CF10"]
    lines = [
        "# NB201 proxies: validation on the cells scored so far",
        "",
        "Command: `NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/proxy_validation.py "
        + " ".join(args.dirs) + ("" if args.out == str(OUT) else f" --out {args.out}") + "`",
        "",
        f"{len(df)} cells (official indices {min(idx)}..{max(idx)}); per metric the cells with a "
        "value. rho(acc): Spearman with CIFAR-10 200-epoch test accuracy on these cells; "
        "published: over all 15,625 (VKDNW reruns, GradSign paper); Suite-Zero: its Figure 6 "
        "(1,000 cells, validation accuracy). rho(SZ) / rho(zc-nas): Spearman of our scores with "
        "NAS-Bench-Suite-Zero's / zero-cost-nas's for the same cells.",
        "",
        "| metric | cells | rho(acc) | published | Suite-Zero | rho(SZ) | cells SZ | rho(zc-nas) | cells zc-nas |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in [c for c in df.columns if c not in _NOT]:
        v = df[m].to_numpy(float)
        r, n = _rho(v, acc)
        pub = vk.get(m, np.nan)
        szv = sz.get(m, np.nan)
        rs, ns = _rho(v, nb.query(idx, "cifar10", f"zc/{m}")) if f"zc/{m}" in sz_metrics else (np.nan, 0)
        rz, nz = (_rho(v, nb.query(idx, "cifar10-valid", f"zc/{m}"))
                  if f"zc/{m}" in zcn_metrics else (np.nan, 0))
        lines.append(f"| {m} | {n} | {r:.3f} | {pub:.3f} | {szv:.2f} | {rs:.3f} | {ns} | {rz:.3f} | {nz} |")
        print(lines[-1], flush=True)
    Path(args.out).write_text(re.sub(r"\bnan\b", "-", "\n".join(lines)) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
