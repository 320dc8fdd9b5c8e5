"""Proxies over a space: resumable chunks of results under one directory.

A run computes the requested proxies for a list of architectures, ``chunk`` at a time, each chunk
written as ``chunk-<first position>.csv.gz`` (temporary file, then rename) with one row per
architecture: ``index`` (official index), ``arch``, one column per metric, ``reasons`` (JSON: why
each NaN is NaN) and ``seconds``. A restart reads the chunks present and skips what is done, so a
killed run loses at most the chunks in flight. ``manifest.json`` records the command, the inputs
(images, batch, seed), the proxies, the counts and the wall time.

NB201 ("all"): the 6,466 isomorphism-class representatives (``SPACE.canonical``) are scored with
every proxy, in an order shuffled by ``order_seed`` so any prefix is an unbiased sample; then the
other 9,159 cells get the proxies that depend on more than the cell's function (``params``,
``flops``, ``l2_norm``: a dead edge still holds weights) and the rest is fanned out from their
representative by the recipe (``nasbench.recipes.nb201_zc``). Which proxies are
isomorphism-invariant was checked on a sample (``isomorphism_check``).
"""

from __future__ import annotations

import functools
import json
import math
import os
import socket
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: proxies whose value depends on weights a cell's function does not use (a conv on a dead edge)
PER_CELL = ("params", "flops", "l2_norm")
BATCH_SIZE = 64


@dataclass
class Job:
    """One chunk: positions in the plan, official indices, arch strings, the proxies to compute."""

    start: int
    indices: list[int]
    archs: list[str]
    proxies: list[str]


def space_archs(space: str) -> list[str]:
    """Every architecture of a space in official order (spaces that enumerate)."""
    from nasbench import spaces

    return list(spaces.get(space).enumerate())


def plan(
    space: str,
    archs: str | int | Sequence[Any],
    proxies: list[str],
    order_seed: int = 0,
    fan_out: bool = True,
) -> list[tuple[int, str, list[str]]]:
    """``(official index, arch, proxies)`` in run order.

    ``archs``: ``"all"``, a number (a seeded sample of that many distinct archs), or a list of
    archs / indices. With ``fan_out`` and ``"all"`` on a space with canonical forms, only class
    representatives get every proxy; the others get ``PER_CELL`` proxies only.
    """
    from nasbench import spaces

    sp = spaces.get(space)
    everything = space_archs(space)
    index_of = {a: i for i, a in enumerate(everything)}
    rng = np.random.default_rng(order_seed)
    if isinstance(archs, str) and archs == "all":
        if fan_out and hasattr(sp, "canonical"):
            reps = sorted({index_of[sp.canonical(a)] for a in everything})
            rep_set = set(reps)
            others = [i for i in range(len(everything)) if i not in rep_set]
            per_cell = [p for p in proxies if p in PER_CELL]
            order = list(rng.permutation(reps))
            out = [(int(i), everything[i], proxies) for i in order]
            if per_cell:
                out += [(i, everything[i], per_cell) for i in others]
            return out
        return [(int(i), everything[i], proxies) for i in rng.permutation(len(everything))]
    if isinstance(archs, (int, np.integer)):
        if not 0 < int(archs) <= len(everything):
            raise ValueError(f"--archs {archs}: use 1 .. {len(everything)}, 'all' or a file")
        chosen = rng.choice(len(everything), size=int(archs), replace=False)
        return [(int(i), everything[i], proxies) for i in chosen]
    out = []
    for a in archs:
        if isinstance(a, (int, np.integer)) or (isinstance(a, str) and a.strip().isdigit()):
            i = int(a)
            if not 0 <= i < len(everything):
                raise ValueError(f"index {i} out of range for {space}: use 0 .. {len(everything) - 1}")
        else:
            i = index_of.get(sp.format(sp.cell(a)) if hasattr(sp, "format") else a, -1)
            if i < 0:
                raise ValueError(f"{a!r} is not an architecture of {space}")
        out.append((i, everything[i], proxies))
    return out


#: a chunk of archs that only need ``PER_CELL`` proxies (milliseconds each) is this much larger
CHEAP_CHUNK_FACTOR = 20


def chunks(planned: list[tuple[int, str, list[str]]], size: int) -> list[Job]:
    """The plan cut into chunks of at most ``size`` archs that share one proxy list
    (``size * CHEAP_CHUNK_FACTOR`` when the list holds only ``PER_CELL`` proxies)."""
    jobs: list[Job] = []
    for pos, (i, a, p) in enumerate(planned):
        limit = size * CHEAP_CHUNK_FACTOR if set(p) <= set(PER_CELL) else size
        if jobs and len(jobs[-1].indices) < limit and jobs[-1].proxies == p:
            jobs[-1].indices.append(i)
            jobs[-1].archs.append(a)
        else:
            jobs.append(Job(pos, [i], [a], list(p)))
    return jobs


def chunk_path(out_dir: Path, job: Job) -> Path:
    return out_dir / f"chunk-{job.start:05d}.csv.gz"


def read_results(out_dir: Path) -> pd.DataFrame:
    """Every finished chunk of a results directory, one row per (arch, chunk)."""
    files = sorted(Path(out_dir).glob("chunk-*.csv.gz"))
    if not files:
        return pd.DataFrame(columns=["index", "arch"])
    return pd.concat([pd.read_csv(f) for f in files], ignore_index=True)


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".csv.gz")
    os.close(fd)
    try:
        df.to_csv(tmp, index=False, compression={"method": "gzip", "mtime": 0}, float_format="%.10g")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; results are shared files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_job(
    job: Job,
    space: str,
    dataset: str,
    out_dir: str,
    seed: int,
    batch_size: int,
    device: str | None,
    threads: int = 1,
) -> int:
    """Compute one chunk and write its file; returns the number of archs written."""
    import torch

    from predictors.zero_cost import runner

    torch.set_num_threads(threads)
    inputs = _inputs(dataset, batch_size, seed, device)
    rows = []
    for i, a in zip(job.indices, job.archs):
        t0 = time.perf_counter()
        res = runner.compute_arch(space, a, dataset, inputs, job.proxies, seed=seed, device=device)
        row: dict[str, Any] = {"index": i, "arch": a}
        row.update(res.values)
        row["reasons"] = json.dumps(res.reasons, sort_keys=True)
        row["seconds"] = round(time.perf_counter() - t0, 3)
        rows.append(row)
    _write_csv(pd.DataFrame(rows), chunk_path(Path(out_dir), job))
    return len(rows)


_INPUT_CACHE: dict[tuple, Any] = {}


def _inputs(dataset: str, batch_size: int, seed: int, device: str | None) -> Any:
    from predictors.networks import dataset_info
    from predictors.zero_cost import runner

    key = (dataset, batch_size, seed, device)
    if key not in _INPUT_CACHE:
        num_classes, _ = dataset_info(dataset)
        if dataset not in ("cifar10", "cifar10-valid", "cifar100"):
            raise ValueError(
                f"no images for dataset {dataset!r} here: proxies run on CIFAR-10 images "
                "(cifar10, cifar10-valid; cifar100 with 100 classes on CIFAR-10 images)"
            )
        _INPUT_CACHE[key] = runner.cifar10_inputs(batch_size, seed, num_classes, device)
    return _INPUT_CACHE[key]


def run(
    space: str,
    dataset: str,
    archs: str | int | Sequence[Any],
    proxies: list[str],
    out_dir: str | Path,
    seed: int = 0,
    batch_size: int = BATCH_SIZE,
    chunk: int = 50,
    n_jobs: int = 1,
    scheduler: Any = None,
    device: str | None = None,
    order_seed: int = 0,
    command: str = "",
    progress: bool = True,
) -> Path:
    """Compute (or resume) a results directory; returns its path. See the module docstring."""
    from tqdm import tqdm

    from predictors.parallel import imap_unordered

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    planned = plan(space, archs, proxies, order_seed=order_seed)
    jobs = chunks(planned, chunk)
    todo = [j for j in jobs if not chunk_path(out, j).exists()]
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    settings = {"space": space, "dataset": dataset, "seed": seed, "batch_size": batch_size,
                "chunk": chunk, "order_seed": order_seed, "proxies": proxies}
    if manifest.get("settings", settings) != settings:
        raise ValueError(
            f"{out} holds results of other settings {manifest['settings']}; "
            f"use another --out directory or the same settings"
        )
    manifest.update({
        "settings": settings,
        "command": command or " ".join(sys.argv),
        "images": "CIFAR-10 (JPEG q75) train images, two class-balanced batches "
                  f"(predictors.datasets.batch('cifar10', {2 * batch_size}, seed={seed})): "
                  "the first for every data proxy, the second for ZiCo only; MeCo reads its first "
                  "image; Zen and AZ-NAS read Gaussian noise; synflow an all-ones image",
        "planned_archs": len(planned),
        "chunks_total": len(jobs),
    })
    manifest["wall_seconds_before"] = manifest.get("wall_seconds", 0.0)
    _write_manifest(manifest_path, manifest)
    t0 = time.time()
    bar = tqdm(total=len(jobs), initial=len(jobs) - len(todo), unit="chunk",
               disable=not progress, desc=f"{space} proxies")
    threads = 1 if n_jobs != 1 or scheduler is not None else max(1, int(os.environ.get("NASBENCH_TORCH_THREADS", "1")))
    work = functools.partial(run_job, space=space, dataset=dataset, out_dir=str(out), seed=seed,
                             batch_size=batch_size, device=device, threads=threads)
    for _ in imap_unordered(work, todo, n_jobs=n_jobs, scheduler=scheduler):
        bar.update(1)
        _progress(manifest_path, manifest, out, t0)
    bar.close()
    _progress(manifest_path, manifest, out, t0)
    return out


def _progress(path: Path, manifest: dict, out: Path, t0: float) -> None:
    done = read_results(out)
    manifest["archs_done"] = int(len(done))
    manifest["wall_seconds"] = round(manifest.get("wall_seconds_before", 0.0) + time.time() - t0, 1)
    manifest["arch_seconds_sum"] = round(float(done["seconds"].sum()) if len(done) else 0.0, 1)
    manifest["host"] = socket.gethostname()
    _write_manifest(path, manifest)


def _write_manifest(path: Path, manifest: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True, default=str)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def isomorphism_check(
    n: int = 30,
    seed: int = 0,
    proxies: str | list[str] = "all",
    batch_size: int = BATCH_SIZE,
    **build_kwargs: Any,
) -> pd.DataFrame:
    """Score ``n`` seeded NB201 cells and one isomorphic sibling of each with the same seed and
    batch; per metric the largest relative difference between siblings and the Spearman
    correlation of the sibling pairs' values (1 = a fan-out loses nothing)."""
    import torch
    from scipy.stats import spearmanr

    from nasbench.spaces.nb201 import SPACE
    from predictors.zero_cost import runner

    torch.set_num_threads(1)
    groups: dict[str, list[str]] = {}
    for a in SPACE.enumerate():
        groups.setdefault(SPACE.canonical_hash(a), []).append(a)
    rng = np.random.default_rng(seed)
    multi = [g for g in groups.values() if len(g) > 1]
    pairs = [tuple(multi[i][:2]) for i in rng.choice(len(multi), size=n, replace=False)]
    inputs = runner.cifar10_inputs(batch_size, seed)
    rows = []
    for a, b in pairs:
        ra = runner.compute_arch("nb201", a, "cifar10", inputs, proxies, seed=seed, **build_kwargs)
        rb = runner.compute_arch("nb201", b, "cifar10", inputs, proxies, seed=seed, **build_kwargs)
        rows.append((ra.values, rb.values))
    out = []
    for key in rows[0][0]:
        va = np.array([r[0][key] for r in rows])
        vb = np.array([r[1][key] for r in rows])
        ok = np.isfinite(va) & np.isfinite(vb)
        rel = np.abs(va - vb)[ok] / np.maximum(np.abs(va[ok]), 1e-12)
        rho = spearmanr(va[ok], vb[ok])[0] if ok.sum() > 2 else math.nan
        out.append({"metric": key, "pairs": int(ok.sum()), "max_rel_diff": float(rel.max()) if len(rel) else math.nan,
                    "median_rel_diff": float(np.median(rel)) if len(rel) else math.nan,
                    "exact": bool(len(rel) and rel.max() == 0), "spearman_pairs": rho})
    return pd.DataFrame(out)
