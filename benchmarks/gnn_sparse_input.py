"""Cora bank training with sparse raw features (``predictors.networks.sparse_features``) vs dense.

Trains the first ``--archs`` architectures of the committed Cora bank (``data/bank/nbgraph_cora``)
for ``--epochs`` epochs of the bank's own step (NAS-Bench-Graph's recipe: full batch, SGD lr 0.1,
weight decay 5e-4, dropout 0.7, one evaluation pass per epoch), once with ``sparse_input=False``
(the benchmark's dense code) and once with the bank's sparse path (``sparse_input=True,
linear_first=True``), same seed, one torch thread, and prints CPU time per epoch. The sparse path
draws the input dropout on the non-zero entries only (``sparse_features.dropout``: the same
distribution, other random numbers), so at the recipe's dropout the two runs follow other masks;
how far the products alone move the losses (``drift``) is measured on a second pair of runs with
dropout 0 (``--drift-epochs`` epochs).

Usage::

    NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/gnn_sparse_input.py --archs 6 --epochs 20

Writes ``benchmarks/results/gnn_sparse_input.md``. Other processes on the machine inflate both
columns alike; read the ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NASBENCH_DATA", str(ROOT.parent / "shared" / "data"))

OUT = ROOT / "benchmarks" / "results" / "gnn_sparse_input.md"


def train(arch: str, sparse: bool, epochs: int, g: object,
          dropout: float | None = None) -> tuple[float, list[float]]:
    """CPU seconds per epoch and the per-epoch training losses of ``arch`` on Cora (``dropout``:
    the recipe's by default)."""
    import torch
    from torch.nn import functional as F

    from predictors.networks import nbgraph

    lr, wd, recipe_dropout = nbgraph.TRAINING["cora"][1:4]
    dropout = recipe_dropout if dropout is None else dropout
    torch.manual_seed(777)
    net = nbgraph.build(arch, "cora", dropout=dropout, sparse_input=sparse, linear_first=sparse)
    opt = torch.optim.SGD(net.parameters(), lr=lr, weight_decay=wd)
    losses = []
    start = time.process_time()
    for _ in range(epochs):
        net.train()
        loss = F.cross_entropy(net(g.x, g.edge_index)[g.train_mask], g.y[g.train_mask])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        net.eval()
        with torch.no_grad():
            net(g.x, g.edge_index)
    return (time.process_time() - start) / epochs, losses


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--archs", type=int, default=6)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--drift-epochs", type=int, default=10)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    import torch

    from predictors.bank import read_results
    from predictors.networks.graph_data import load

    torch.set_num_threads(1)
    g = load("cora")
    archs = [r["arch"] for r in read_results(ROOT / "data" / "bank" / "nbgraph_cora")[: args.archs]]
    lines = [
        "# Cora bank training: sparse raw features vs dense", "",
        "Command: `NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/gnn_sparse_input.py "
        + " ".join(sys.argv[1:]) + "`", "",
        f"The first {len(archs)} architectures of `data/bank/nbgraph_cora`, {args.epochs} epochs of "
        "the bank's step (train + evaluation pass), seed 777, one torch thread. drift: the largest "
        f"relative difference between the two paths' training losses over {args.drift_epochs} "
        "epochs with dropout 0 (at the recipe's dropout the paths draw other masks: see the "
        "script's docstring).", "",
        "| arch | dense (ms/epoch) | sparse (ms/epoch) | speed-up | drift |", "|---|---:|---:|---:|---:|",
    ]
    dense_ms, sparse_ms = [], []
    for arch in archs:
        td, ts = train(arch, False, args.epochs, g)[0], train(arch, True, args.epochs, g)[0]
        ld = train(arch, False, args.drift_epochs, g, dropout=0.0)[1]
        ls = train(arch, True, args.drift_epochs, g, dropout=0.0)[1]
        drift = float(np.max(np.abs(np.subtract(ld, ls)) / np.abs(ld)))
        dense_ms.append(1000 * td)
        sparse_ms.append(1000 * ts)
        lines.append(f"| `{arch}` | {1000 * td:.0f} | {1000 * ts:.0f} | {td / ts:.2f}x | {drift:.1e} |")
        print(lines[-1], flush=True)
    total = sum(dense_ms) / sum(sparse_ms)
    ratios = [d / s for d, s in zip(dense_ms, sparse_ms)]
    lines += [f"| **all** | {sum(dense_ms):.0f} | {sum(sparse_ms):.0f} | {total:.2f}x | |", "",
              f"Over these {len(archs)} architectures the sparse path (products and input dropout) "
              f"takes {total:.2f}x less CPU per epoch (per arch {min(ratios):.2f}x to "
              f"{max(ratios):.2f}x)."]
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
