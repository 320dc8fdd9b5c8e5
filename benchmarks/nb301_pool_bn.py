"""Does NASLib's pooling convention explain why our NB301 gradient proxies disagree with Suite-Zero's?

NASLib's NB301 network (``naslib/search_spaces/nasbench301/graph.py``, which NAS-Bench-Suite-Zero
scored) builds ``max_pool_3x3`` / ``avg_pool_3x3`` as ``MaxPool`` / ``AvgPool`` with
``use_bn=True``: the pooling is followed by a ``BatchNorm2d(affine=False)``, as in the DARTS
*search* network. The evaluation network NB301 trained (``predictors.networks.darts``, DARTS'
``NetworkCIFAR``) has no BN there. A parameter-free BN leaves the parameter count, l2_norm and
synflow (which strips BN) unchanged, but not the gradients.

For the first ``--archs`` genotypes of ``nb301_zc`` this recomputes the data-pass proxies on our
network with a ``BatchNorm2d(affine=False)`` after every pooling op (same seed, batch and init:
the BN has no parameters, so the weights are the same draws) and prints, per proxy, Spearman
against Suite-Zero's scores (``nb301`` ``zc/<proxy>``) for the table's scores and for the
pool+BN scores. Writes ``benchmarks/results/nb301_pool_bn.md``.

    NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/nb301_pool_bn.py [--archs 30]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NASBENCH_DATA", str(ROOT.parent / "shared" / "data"))

OUT = ROOT / "benchmarks" / "results" / "nb301_pool_bn.md"
PROXIES = ("grad_norm", "snip", "fisher", "plain", "jacov")


def main(argv: list[str] | None = None) -> int:
    import torch
    from torch import nn

    import nasbench
    import predictors.networks.darts as darts
    from predictors.zero_cost import runner

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--archs", type=int, default=30)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    zc, nb = nasbench.load("nb301_zc"), nasbench.load("nb301")
    archs = list(zc.archs)[: args.archs]
    plain_op = darts.make_op

    def pool_then_bn(name: str, C: int, stride: int, affine: bool = True) -> nn.Module:
        op = plain_op(name, C, stride, affine)
        return nn.Sequential(op, nn.BatchNorm2d(C, affine=False)) if "pool" in name else op

    inputs = runner.cifar10_inputs(64, 0)  # the table's batch (manifest: batch 64, seed 0)
    t0 = time.perf_counter()
    with mock.patch.object(darts, "make_op", pool_then_bn):
        res = [runner.compute_arch("nb301", a, "cifar10", inputs, list(PROXIES), seed=0)
               for a in archs]
    seconds = time.perf_counter() - t0
    lines = [
        "# NB301: our gradient proxies with NASLib's BN after pooling, against Suite-Zero's scores",
        "",
        f"Command: `NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/nb301_pool_bn.py "
        f"--archs {args.archs}`",
        "",
        f"The first {len(archs)} genotypes of `nb301_zc`; Spearman against Suite-Zero's scores "
        f"(`nb301` `zc/<proxy>`) of our table's scores (DARTS' evaluation network) and of scores "
        f"recomputed with a `BatchNorm2d(affine=False)` after every pooling op (NASLib's "
        f"network); {seconds:.0f} s on one thread.",
        "",
        "| proxy | table vs Suite-Zero | pool+BN vs Suite-Zero | change | pool+BN vs table |",
        "|---|---|---|---|---|",
    ]
    for p in PROXIES:
        bn = np.array([r.values[p] for r in res])
        table = np.asarray(zc.values("cifar10", f"zc/{p}"), dtype=float)[: len(archs)]
        sz = np.asarray(nb.query(archs, "cifar10", f"zc/{p}"), dtype=float)
        a, b, c = (spearmanr(x, y)[0] for x, y in ((table, sz), (bn, sz), (bn, table)))
        lines.append(f"| {p} | {a:.3f} | {b:.3f} | {b - a:+.3f} | {c:.3f} |")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
