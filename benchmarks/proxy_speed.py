"""Fused zero-cost proxies vs each proxy on its own, on NB201 networks, one CPU thread.

For a seeded sample of NB201 cells, measures in the same run:
- ``ref``: one forward + backward of the batch (64 CIFAR-10 images, cross-entropy), the unit;
- ``fused``: all 18 proxies from ``predictors.zero_cost.runner.compute`` (shared passes), and
  all but GraSP (the same passes without its Hessian-gradient product);
- ``alone``: every proxy computed by itself (its own passes, as NASLib and zero-cost-nas run
  them), summed.
Prints per cell and the mean, in seconds and in forward+backward equivalents, and the time of
each shared pass; writes ``benchmarks/results/proxy_speed.md``. Timings are wall clock on a
shared machine, so the ratios (same run, same cell) are the figures to read.

Usage::

    NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/proxy_speed.py --archs 5
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # before benchmarks/ (whose predictors.py would shadow the package)
os.environ.setdefault("NASBENCH_DATA", str(ROOT.parent / "shared" / "data"))

from nasbench.spaces.nb201 import SPACE  # noqa: E402
from predictors import networks  # noqa: E402
from predictors.zero_cost import registry, runner  # noqa: E402

torch.set_num_threads(1)
OUT = ROOT / "benchmarks" / "results" / "proxy_speed.md"
TARGET_EQ = 5  # issue 9: all proxies for one NB201 arch in <= 5 forward+backward equivalents


class _Cell(NamedTuple):
    """One cell's timings, in seconds: the unit, the fused run, the fused run without GraSP, and
    each proxy alone."""

    arch: str
    ref: float
    fused: float
    no_grasp: float
    alone: dict[str, float]


def _net(arch: str, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return networks.build("nb201", arch, "cifar10")


def _ref(arch: str, inputs, seed: int) -> float:
    net = _net(arch, seed)
    best = np.inf
    for _ in range(2):
        t0 = time.perf_counter()
        net.zero_grad()
        torch.nn.functional.cross_entropy(net(inputs.x), inputs.y).backward()
        best = min(best, time.perf_counter() - t0)
    return best


def _timed(arch: str, inputs, seed: int, names: list[str]) -> tuple[float, runner.Result]:
    """Seconds to build the cell's network and compute ``names`` on it in one fused call, and the
    result."""
    t0 = time.perf_counter()
    res = runner.compute(_net(arch, seed), inputs, names)
    return time.perf_counter() - t0, res


def _readers(names: list[str]) -> dict[str, list[str]]:
    """Pass name -> the proxies among ``names`` that read it."""
    out: dict[str, list[str]] = {}
    for proxy in registry.get(names):
        for pass_name in proxy.passes:
            out.setdefault(pass_name, []).append(proxy.name)
    return out


def _verdict(fused_eq: float, speed_up: float, n: int, pass_eq: dict[str, float],
             readers: dict[str, list[str]], no_grasp_eq: float | None = None) -> str:
    """The report's reading, from its own numbers: the target of issue 9, where the cost is, and
    (``no_grasp_eq``: every proxy but GraSP, fused) whether the target is in reach without
    GraSP's Hessian-gradient product."""
    met = "met" if fused_eq <= TARGET_EQ else "NOT met"
    own = {k: v for k, v in pass_eq.items() if len(readers.get(k, [])) == 1}
    own_eq = sum(own.values())
    listed = ", ".join(f"{k} ({readers[k][0]}, {v:.2f})" for k, v in
                       sorted(own.items(), key=lambda kv: -kv[1]))
    return (f"Over {n} cells the fused run costs {fused_eq:.1f} forward+backward equivalents, "
            f"{speed_up:.2f}x less than each proxy on its own; issue 9's target of at most "
            f"{TARGET_EQ} is {met}. Passes read by a single proxy: {listed or 'none'}: "
            f"{own_eq:.2f} eq together; the passes shared by two or more proxies cost "
            f"{sum(pass_eq.values()) - own_eq:.2f} eq."
            + ("" if no_grasp_eq is None else
               f" Every proxy but GraSP, fused, costs {no_grasp_eq:.1f} eq: without GraSP the target "
               f"would {'be met' if no_grasp_eq <= TARGET_EQ else 'still not be met'}."))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--archs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--isomorphism", type=int, default=0,
                    help="instead: score N isomorphic sibling pairs (reduced C=4, N=1 networks, "
                         "batch 16) and write proxy_isomorphism.md")
    ap.add_argument("--hvp", type=int, default=0,
                    help="instead: time GraSP's Hessian-gradient product three ways on N cells "
                         "and write proxy_hvp.md")
    args = ap.parse_args()
    if args.hvp:
        return hvp(args.hvp, args.seed)
    if args.isomorphism:
        return isomorphism(args.isomorphism, args.seed)
    load = os.getloadavg()[0]
    inputs = runner.cifar10_inputs(64, args.seed)
    names = registry.available()
    archs = [SPACE.canonical(a) for a in SPACE.sample(args.archs * 3, seed=args.seed)]
    archs = [a for a in dict.fromkeys(archs) if SPACE.is_connected(a)][: args.archs]
    _ref(archs[0], inputs, args.seed)  # warm-up (allocator, kernels)
    rows, pass_eq = [], {}
    for a in archs:
        ref = _ref(a, inputs, args.seed)
        fused, res = _timed(a, inputs, args.seed, names)
        no_grasp, _ = _timed(a, inputs, args.seed, [n for n in names if n != "grasp"])
        alone = {n: _timed(a, inputs, args.seed, [n])[0] for n in names}
        total_alone = sum(alone.values())
        rows.append(_Cell(a, ref, fused, no_grasp, alone))
        for k, v in res.seconds.items():
            pass_eq.setdefault(k, []).append(v / ref)
        print(f"{a}  ref {ref:.2f}s  fused {fused:.1f}s = {fused / ref:.1f} eq  "
              f"without GraSP {no_grasp / ref:.1f} eq  alone {total_alone:.1f}s = {total_alone / ref:.1f} eq  speed-up {total_alone / fused:.2f}x",
              flush=True)
    ref = np.array([r.ref for r in rows])
    fused = np.array([r.fused for r in rows])
    alone = np.array([sum(r.alone.values()) for r in rows])
    no_grasp = np.array([r.no_grasp for r in rows])
    lines = [
        "# Zero-cost proxies on NB201: fused passes vs one proxy at a time",
        "",
        f"Command: `NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/proxy_speed.py --archs {args.archs}`",
        f"(one torch thread, CPU kernels {torch.backends.cpu.get_cpu_capability()}; load average {load:.1f} on {os.cpu_count()} cores when it started: "
        "timings are wall clock, so read the ratios, same run, same cell).",
        "Unit: one forward + backward of the 64-image batch (cross-entropy) on the same network.",
        "",
        "| cell | fwd+bwd (s) | fused, all 18 (s) | fused (eq) | fused, all but GraSP (eq) | "
        "each alone, summed (s) | alone (eq) | speed-up |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for a, r, f, ng, each in rows:
        al = sum(each.values())
        cell = a.replace("|", "\\|")  # a literal bar would split the table cell
        lines.append(f"| `{cell}` | {r:.2f} | {f:.1f} | {f / r:.1f} | {ng / r:.1f} | {al:.1f} | {al / r:.1f} | "
                     f"{al / f:.2f}x |")
    lines.append(f"| **mean** | {ref.mean():.2f} | {fused.mean():.1f} | {np.mean(fused / ref):.1f} | "
                 f"{np.mean(no_grasp / ref):.1f} | {alone.mean():.1f} | {np.mean(alone / ref):.1f} | "
                 f"{np.mean(alone / fused):.2f}x |")
    lines += ["", "Shared passes of the fused run, mean forward+backward equivalents, and the proxies "
              "that read each (`predictors.zero_cost.passes`):", "",
              "| pass | eq | read by |", "|---|---|---|"]
    readers = _readers(names)
    lines += [f"| {k} | {np.mean(v):.2f} | {', '.join(readers.get(k, [])) or '-'} |"
              for k, v in pass_eq.items()]
    lines += ["", _verdict(np.mean(fused / ref), np.mean(alone / fused), len(rows),
                           {k: float(np.mean(v)) for k, v in pass_eq.items()}, readers,
                           float(np.mean(no_grasp / ref)))]
    if {"grasp", "grad_norm"} <= set(names):  # same data pass; GraSP adds the Hessian-gradient product
        eq = {n: np.mean([r.alone[n] / r.ref for r in rows]) for n in ("grasp", "grad_norm")}
        lines[-1] += (f" Inside the data pass, GraSP alone costs {eq['grasp']:.1f} eq and grad_norm "
                      f"alone {eq['grad_norm']:.1f}: the same pass without the Hessian-gradient product.")
    lines += ["", "Each proxy alone, mean seconds:", "", "| proxy | s |", "|---|---|"]
    lines += [f"| {n} | {np.mean([r.alone[n] for r in rows]):.2f} |" for n in names]
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT}")
    return 0


def isomorphism(n: int, seed: int) -> int:
    from predictors.zero_cost import table

    t0 = time.perf_counter()
    df = table.isomorphism_check(n=n, seed=seed, proxies="all", batch_size=16, C=4, N=1)
    out = OUT.with_name("proxy_isomorphism.md")
    lines = [
        "# Are the proxies isomorphism-invariant? NB201 sibling pairs, same seed and batch",
        "",
        f"Command: `NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/proxy_speed.py "
        f"--isomorphism {n} --seed {seed}` ({time.perf_counter() - t0:.0f} s; reduced networks "
        "C=4, N=1 and batch 16 to keep it cheap: invariance is a property of the cell, not of the "
        "width).",
        "",
        f"{n} random isomorphism classes with two or more members; the two lowest-index members of "
        "each scored with the same seed and images. `exact`: equal on every pair; "
        "`median_rel_diff` 0 means most pairs are equal; `spearman_pairs`: rank agreement of the "
        "pairs' values.",
        "",
        "| metric | pairs | exact | max rel diff | median rel diff | Spearman (pairs) |",
        "|---|---|---|---|---|---|",
    ]
    for r in df.itertuples():
        lines.append(f"| {r.metric} | {r.pairs} | {r.exact} | {r.max_rel_diff:.3g} | "
                     f"{r.median_rel_diff:.3g} | {r.spearman_pairs:.3f} |")
    lines += [
        "",
        f"Exactly invariant on every pair: {', '.join(df.metric[df.exact]) or 'none'}. "
        f"The full tables score these for every cell (`predictors.zero_cost.table.PER_CELL`): "
        f"{', '.join(table.PER_CELL)}; every other proxy once per isomorphism class, copied to "
        "its members.",
    ]
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")
    return 0


def _grasp_ways(net: torch.nn.Module, inputs) -> dict[str, Any]:
    """GraSP's score ``-theta . H g`` (Conv2d / Linear weights) by each way of forming ``H g``:
    name -> function() -> score. ``double backward`` is the one the data pass runs."""
    from torch.func import functional_call, grad, jvp

    from predictors.zero_cost import passes

    twin = copy.deepcopy(net)
    for m in twin.modules():  # batch statistics, no running-stat updates (torch.func is pure)
        if isinstance(m, torch.nn.BatchNorm2d):
            m.track_running_stats, m.running_mean, m.running_var = False, None, None
    twin.train()
    params = dict(twin.named_parameters())
    w = {n + ".weight": params[n + ".weight"].detach() for n, m in twin.named_modules()
         if isinstance(m, passes.WEIGHTED)}

    def loss(weights):
        logits = functional_call(twin, weights, (inputs.x,), strict=False)
        return torch.nn.functional.cross_entropy(logits, inputs.y)

    def score(hvp_times_eps, eps=1.0):
        return -sum(float((w[k] * hvp_times_eps[k]).sum().detach()) for k in w) / eps

    def exact():
        out = passes._data_pass(net, inputs.x, inputs.y, {"grad", "hvp"})
        return -sum(float((a * h).sum()) for a, h in zip(out["weights"], out["hvp"]))

    def forward_over_reverse():
        g = {k: v.detach() for k, v in grad(loss)(w).items()}
        _, hg = jvp(grad(loss), (w,), (g,))
        return score({k: v.detach() for k, v in hg.items()})

    def difference(rel):
        def run():
            g = {k: v.detach() for k, v in grad(loss)(w).items()}
            norm = lambda d: float(torch.sqrt(sum((v ** 2).sum() for v in d.values())))  # noqa: E731
            eps = rel * norm(w) / norm(g)
            moved = grad(loss)({k: w[k] + eps * g[k] for k in w})
            return score({k: moved[k] - g[k] for k in w}, eps)
        return run

    return {"double backward (exact, used)": exact, "forward-over-reverse (exact)": forward_over_reverse,
            **{f"forward difference, step {r:g} norm(w) / norm(g)": difference(r) for r in (1e-2, 1e-3, 1e-4)}}


def hvp(n: int, seed: int) -> int:
    """Times and checks the ways of forming GraSP's ``H g``; writes ``proxy_hvp.md``."""
    from scipy.stats import spearmanr

    inputs = runner.cifar10_inputs(64, seed)
    archs = [SPACE.canonical(a) for a in SPACE.sample(n * 3, seed=seed)]
    archs = [a for a in dict.fromkeys(archs) if SPACE.is_connected(a)][:n]
    _ref(archs[0], inputs, seed)
    eq: dict[str, list[float]] = {}
    scores: dict[str, list[float]] = {}
    for a in archs:
        net = _net(a, seed)
        ref = _ref(a, inputs, seed)
        for name, fn in _grasp_ways(net, inputs).items():
            fn()  # warm-up: torch.func traces on first call
            t0 = time.perf_counter()
            scores.setdefault(name, []).append(fn())
            eq.setdefault(name, []).append((time.perf_counter() - t0) / ref)
        print(a, {k: round(v[-1], 2) for k, v in eq.items()}, flush=True)
    exact = np.array(scores["double backward (exact, used)"])
    lines = [
        "# GraSP's Hessian-gradient product: exact double backward vs the alternatives",
        "",
        f"Command: `NASBENCH_DATA=../shared/data .venv/bin/python benchmarks/proxy_speed.py "
        f"--hvp {n} --seed {seed}` (one torch thread; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores at the end; read the ratios).",
        "",
        f"{len(archs)} NB201 cells, 64 CIFAR-10 images. Each way computes GraSP's score from "
        "scratch (its gradient included); eq: forward+backward equivalents of the same cell. "
        "Error: |score - exact| / |exact|.",
        "",
        "| way | eq (mean) | median rel. error | max rel. error | Spearman vs exact |",
        "|---|---|---|---|---|",
    ]
    for name, vals in scores.items():
        err = np.abs(np.array(vals) - exact) / np.abs(exact)
        rho = spearmanr(vals, exact)[0]
        lines.append(f"| {name} | {np.mean(eq[name]):.2f} | {np.median(err):.2g} | "
                     f"{err.max():.2g} | {rho:.3f} |")
    cheaper = [k for k in scores if np.mean(eq[k]) < np.mean(eq["double backward (exact, used)"])]
    exact_enough = [k for k in cheaper if np.max(np.abs(np.array(scores[k]) - exact)
                                                / np.abs(exact)) < 1e-3]
    lines += ["", f"Cheaper than the double backward: {', '.join(cheaper) or 'none'}; of those, "
              f"within 1e-3 of the exact score on every cell: {', '.join(exact_enough) or 'none'}."]
    out = OUT.with_name("proxy_hvp.md")
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
