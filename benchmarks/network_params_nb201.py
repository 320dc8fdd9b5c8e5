"""Parameter counts of the NB201 network (``predictors.networks.nb201``) against the published
``params`` of all 15,625 cells on cifar10, cifar100 and ImageNet16-120 (the ``nb201`` store).

Too slow for the test suite (46,875 networks); ``tests/test_networks_nb201.py`` checks a seeded
300-cell sample. Networks are built on the ``meta`` device (shapes only, no init), one thread.
Writes ``benchmarks/results/network_params_nb201.md``.

Usage::

    NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/network_params_nb201.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # before benchmarks/ (whose predictors.py would shadow the package)
os.environ.setdefault("NASBENCH_DATA", str(ROOT.parent / "shared" / "data"))

import nasbench  # noqa: E402
from predictors import networks  # noqa: E402

torch.set_num_threads(1)
OUT = ROOT / "benchmarks" / "results" / "network_params_nb201.md"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", default="cifar10,cifar100,ImageNet16-120")
    args = ap.parse_args()
    nb = nasbench.load("nb201")
    archs = list(nb.archs)
    head = ["# NB201 network parameter counts vs the published `params`", "",
            "Command: `NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/network_params_nb201.py "
            f"--datasets {args.datasets}`", "",
            "| dataset | cells | exact (|diff| < 1e-9 M) | max abs diff (M) | seconds |",
            "|---|---|---|---|---|"]
    rows: list[str] = []
    ok = True
    for dataset in args.datasets.split(","):
        t0 = time.perf_counter()
        published = nb.query(archs, dataset, "params")
        ours = np.empty(len(archs))
        with torch.device("meta"):
            for i, a in enumerate(archs):
                net = networks.build("nb201", a, dataset)
                ours[i] = sum(p.numel() for p in net.parameters()) / 1e6
        diff = np.abs(ours - published)
        exact = int((diff < 1e-9).sum())
        ok &= exact == len(archs)
        rows.append(f"| {dataset} | {len(archs):,} | {exact:,} | {diff.max():.3g} | "
                    f"{time.perf_counter() - t0:.0f} |")
        print(rows[-1], flush=True)
        # written after every dataset, so an interrupted run still leaves its finished rows
        tail = ["", "Every cell of the datasets listed matches exactly." if ok else "MISMATCHES: see the table."]
        OUT.write_text("\n".join(head + rows + tail) + "\n")
    print(f"wrote {OUT}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
