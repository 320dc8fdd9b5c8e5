"""Proxies over a space: resumable chunks of results under one directory.

A run computes the requested proxies for a list of architectures, ``chunk`` at a time, each chunk
written as ``chunk-<first position>.csv.gz`` (temporary file, then rename) with one row per
architecture: ``index`` (see below), ``arch``, one column per metric, ``reasons`` (JSON: why
each NaN is NaN) and ``seconds``. A restart reads the chunks present and skips what is done, so a
killed run loses at most the chunks in flight. ``manifest.json`` records the command, the inputs
(images, batch, seed), the proxies, the counts and the wall time.

What a space's table covers (``table_archs``): the space's enumeration (NB201, NAS-Bench-Macro,
TransNAS micro: every arch), or, for spaces too large to enumerate or with published scores on a
subset only, the arch list of their ``<store>_zc`` recipe (``TABLE_STORES``): NB101 a seeded
1,000-cell sample of the partial table holding the NAS-Bench-Suite-Zero cells
(``nasbench.recipes.nb101_zc``), DARTS / NB301 the 500 Suite-Zero genotypes
(``nasbench.recipes.nb301_zc``). ``index`` is the arch's position in that list: the official
index where the space has one (NB201), the enumeration position (NAS-Bench-Macro: the base-3
number; TransNAS micro: the sorted position), the ``<store>_zc`` row for listed tables. Results
are keyed by the arch string (the recipe matches rows by it), ``index`` is informational there.
A listed table runs in its row order (the recipe puts the Suite-Zero cells first, so a prefix is
what validation needs); an enumerated one in an order shuffled by ``order_seed``.

"all" on a space with isomorphism classes (NB201: 6,466 of 15,625; NAS-Bench-Macro: 3,969 of
6,561; TransNAS micro: 1,229 of 4,096): the class representatives (``SPACE.canonical``) are
scored with every proxy, in an order shuffled by ``order_seed`` so any prefix is an unbiased
sample; then the other archs get the proxies that depend on more than the cell's function
(``PER_CELL``: a dead edge still holds weights, a BN and an output) and the rest is fanned out
from their representative by the recipe (``nasbench.recipes._zc``). Which proxies are
isomorphism-invariant was checked on an NB201 sample (``isomorphism_check``). ``fill`` computes
the ``PER_CELL`` proxies that rows of an existing folder lack (Zen and MeCo were fanned out
before they were found to read dead modules); a resumed run ends with it.
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
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nasbench.errors import check_int

# PER_CELL: the proxies computed for every arch, never fanned out (one list, the recipe's)
from nasbench.recipes._zc import PER_CELL
from predictors.parallel import torch_threads

BATCH_SIZE = 64

#: With the progress bar off (a background run writing to a log), a progress line goes to stderr
#: at most this often, and once at the end.
LOG_SECONDS = 300.0


@dataclass
class Job:
    """One chunk: positions in the plan, official indices, arch strings, the proxies to compute."""

    start: int
    indices: list[int]
    archs: list[str]
    proxies: list[str]


#: spaces whose table is a recipe's arch list rather than the space's enumeration -> that recipe
TABLE_STORES = {"nb101": "nb101_zc", "darts": "nb301_zc", "nb301": "nb301_zc"}
#: TransNAS-Bench-101 classification tasks: the benchmark trained their networks on Taskonomy
#: images at 256x256, which are not here; the proxies read CIFAR-10 images at that size
#: (``predictors.networks.transnas_macro.TASKS``: classes, input shape)
TASK_IMAGES_NOTE = (
    ". TransNAS-Bench-101's Taskonomy images are not available: these CIFAR-10 images upsampled to "
    "{size}x{size} (area interpolation of 32x32: each pixel an {k}x{k} block), the input size the "
    "benchmark trained its {dataset} networks at, with its {classes}-class head (labels 0-9 used)"
)
#: network-builder names that are another space's archs (``predictors.networks.SPACES``)
SPACE_OF = {"nb301": "darts", "nats_tss": "nb201"}


def space_archs(space: str) -> list[str]:
    """Every architecture of a space in official order (spaces that enumerate)."""
    from nasbench import spaces

    return list(spaces.get(SPACE_OF.get(space, space)).enumerate())


def table_archs(space: str) -> list[str]:
    """The archs a space's proxy table covers, in row order (see the module docstring): the
    ``TABLE_STORES`` recipe's arch list (read from its pinned raw files) or the enumeration."""
    if space in TABLE_STORES:
        from nasbench import recipes

        return recipes.get(TABLE_STORES[space]).arch_list()
    return space_archs(space)


def plan(
    space: str,
    archs: str | int | Sequence[Any],
    proxies: list[str],
    order_seed: int = 0,
    fan_out: bool = True,
) -> list[tuple[int, str, list[str]]]:
    """``(index, arch, proxies)`` in run order; ``index`` is the arch's position in
    ``table_archs(space)`` (the official index on NB201; see the module docstring).

    ``archs``: ``"all"`` (the table's archs), a number (a seeded sample of that many distinct
    archs of the table), or a list of arch strings / indices (a token that is an arch string of
    the table is that arch, else a digit string is an index). With ``fan_out`` and ``"all"`` on a space with canonical forms, only class
    representatives get every proxy; the others get ``PER_CELL`` proxies only.
    """
    from nasbench import spaces

    sp = spaces.get(SPACE_OF.get(space, space))
    listed = space in TABLE_STORES
    everything = table_archs(space)
    index_of = {a: i for i, a in enumerate(everything)}
    rng = np.random.default_rng(order_seed)
    if isinstance(archs, str) and archs == "all":
        if listed:
            return [(i, a, proxies) for i, a in enumerate(everything)]
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
        # an arch string first: NAS-Bench-Macro's archs are digit strings too
        if isinstance(a, str) and a in index_of:
            i = index_of[a]
        elif isinstance(a, (int, np.integer)) or (isinstance(a, str) and a.strip().isdigit()):
            i = int(a)
            if not 0 <= i < len(everything):
                raise ValueError(f"index {i} out of range for {space}: use 0 .. {len(everything) - 1}")
        else:
            i = index_of.get(a, -1)
            if i < 0:
                i = index_of.get(_normal(sp, a), -1)
            if i < 0:
                where = f"the {TABLE_STORES[space]} table's arch list" if listed else space
                raise ValueError(f"{a!r} is not an architecture of {where}")
        out.append((i, everything[i], proxies))
    return out


def _normal(sp: Any, arch: str) -> str:
    """``arch`` as the space writes it (NB201 cell strings re-formatted), or ``arch`` itself when
    it does not parse (then it is simply not found)."""
    try:
        return sp.format(sp.cell(arch)) if hasattr(sp, "cell") else sp.to_string(arch)
    except (ValueError, TypeError, KeyError):
        return arch


#: a chunk of archs that only need ``PER_CELL`` proxies (a second or two each, not ten) is this
#: much larger (the same boundaries as before Zen and MeCo joined ``PER_CELL``)
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
    """Every finished chunk of a results directory, one row per (arch, chunk); with none, an
    empty frame of the columns every chunk has (``run_job`` writes them)."""
    files = sorted(Path(out_dir).glob("chunk-*.csv.gz"))
    if not files:
        return pd.DataFrame(columns=["index", "arch", "reasons", "seconds"])
    return pd.concat([_read_chunk(f) for f in files], ignore_index=True)


#: chunk path -> ((inode, mtime_ns, size), rows): a long run counts its progress after every chunk, and
#: without this each count would read every chunk again (quadratic in the number of chunks)
_CHUNKS_READ: dict[Path, tuple[tuple[int, int, int], pd.DataFrame]] = {}


def _read_chunk(path: Path) -> pd.DataFrame:
    st = path.stat()
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)  # a rewrite is a new file (os.replace)
    hit = _CHUNKS_READ.get(path)
    if hit is None or hit[0] != stamp:
        hit = _CHUNKS_READ[path] = (stamp, pd.read_csv(path))
    return hit[1]


def write_chunk(df: pd.DataFrame, path: Path) -> None:
    """Write a results chunk atomically (a temporary file renamed over ``path``), gzip without a
    timestamp so that equal rows give equal bytes."""
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
    from predictors.zero_cost import runner

    rows = []
    with torch_threads(threads):
        inputs = _run_inputs(dataset, batch_size, seed, device)
        for i, a in zip(job.indices, job.archs):
            t0 = time.perf_counter()
            res = runner.compute_arch(space, a, dataset, inputs, job.proxies, seed=seed,
                                      device=device)
            row: dict[str, Any] = {"index": i, "arch": a}
            row.update(res.values)
            row["reasons"] = json.dumps(res.reasons, sort_keys=True)
            row["seconds"] = round(time.perf_counter() - t0, 3)
            rows.append(row)
    write_chunk(pd.DataFrame(rows), chunk_path(Path(out_dir), job))
    return len(rows)


def _has(df: pd.DataFrame, why: list[dict], proxy: str) -> np.ndarray:
    """Per row of a chunk: does it hold a value of ``proxy`` (a column ``proxy`` or ``proxy.*``)
    or a recorded reason for its absence?"""
    cols = [c for c in df.columns if c == proxy or c.startswith(proxy + ".")]
    value = df[cols].notna().any(axis=1).to_numpy() if cols else np.zeros(len(df), bool)
    reason = np.array([any(k == proxy or k.startswith(proxy + ".") for k in w) for w in why], bool)
    return value | reason


def _lacking(df: pd.DataFrame, reasons: list[dict], want: list[str]) -> list[list[str]]:
    """Per row of a chunk: the proxies of ``want`` it holds neither a value nor a reason for."""
    has = {p: _has(df, reasons, p) for p in want}
    return [[p for p in want if not has[p][i]] for i in range(len(df))]


def row_reasons(df: pd.DataFrame) -> list[dict]:
    """The ``reasons`` column of results rows, parsed (``{}`` where empty)."""
    return [json.loads(r) if isinstance(r, str) else {} for r in df["reasons"]]


def missing_per_cell(out_dir: str | Path, rows: pd.DataFrame | None = None) -> int:
    """Rows of a results folder (or of its already read ``rows``) that lack one of the run's
    ``PER_CELL`` proxies."""
    out = Path(out_dir)
    proxies = json.loads((out / "manifest.json").read_text()).get("settings", {}).get("proxies", [])
    want = [p for p in proxies if p in PER_CELL]
    rows = read_results(out) if rows is None and want else rows
    if not want or not len(rows) or "reasons" not in rows:
        return 0
    return sum(map(bool, _lacking(rows, row_reasons(rows), want)))


def fill(out_dir: str | Path, device: str | None = None, progress: bool = True,
         every: int = 25, n_jobs: int = 1, scheduler: Any = None) -> int:
    """Compute the run's ``PER_CELL`` proxies for every row that lacks them, with the run's
    settings (seed, batch, inputs), rewriting each chunk in place every ``every`` rows (atomic:
    a kill loses at most those); returns the rows computed. Resumable: a rerun skips rows that
    now hold a value or a recorded reason.

    ``n_jobs`` worker processes (or a Dask ``scheduler``) each take whole chunks, so no chunk
    is written by two of them; the numbers do not depend on how the chunks are spread, since
    every proxy pass draws from its own seeded generator."""
    from tqdm import tqdm

    from predictors.parallel import imap_unordered

    out = Path(out_dir)
    manifest = json.loads((out / "manifest.json").read_text())
    settings = manifest["settings"]
    bar = tqdm(total=missing_per_cell(out), unit="arch", disable=not progress,
               desc=f"{settings['space']} per-cell proxies")
    work = functools.partial(_fill_chunk, settings=settings, device=device, every=every)
    done = 0
    for n in imap_unordered(work, sorted(out.glob("chunk-*.csv.gz")), n_jobs=n_jobs,
                            scheduler=scheduler):
        done += n
        bar.update(n)
    bar.close()
    count_done(out, manifest)
    return done


@torch_threads(1)
def _fill_chunk(path: Path, settings: dict, device: str | None, every: int) -> int:
    """``fill``'s work on one chunk file; returns the rows computed."""
    from predictors.zero_cost import runner

    space, dataset, seed = settings["space"], settings["dataset"], settings["seed"]
    want = [p for p in settings["proxies"] if p in PER_CELL]
    df = pd.read_csv(path, dtype={"arch": str})
    reasons = row_reasons(df)
    todo = [(i, lack) for i, lack in enumerate(_lacking(df, reasons, want)) if lack]
    if not todo:
        return 0
    inputs = _run_inputs(dataset, settings["batch_size"], seed, device)
    pending = 0
    for i, lack in todo:
        t0 = time.perf_counter()
        res = runner.compute_arch(space, df.at[i, "arch"], dataset, inputs, lack, seed=seed,
                                  device=device)
        for col, value in res.values.items():
            if col not in df:
                df[col] = np.nan
            df.at[i, col] = value
        reasons[i].update(res.reasons)
        df.at[i, "reasons"] = json.dumps(reasons[i], sort_keys=True)
        df.at[i, "seconds"] = round(float(df.at[i, "seconds"]) + time.perf_counter() - t0, 3)
        pending += 1
        if pending >= every:
            write_chunk(df, path)
            pending = 0
    if pending:
        write_chunk(df, path)
    return len(todo)


@torch_threads(1)
def redo_nonfinite(out_dir: str | Path, proxies: Sequence[str], device: str | None = None) -> int:
    """Recompute ``proxies`` for the finished rows where one of their columns is a non-finite
    value, and rewrite those chunks in place; returns the number of rows recomputed.

    For a fix to a proxy's numerics after part of a table was computed: every proxy pass draws
    from its own seeded generator, so a proxy computed alone gives the number the fused run
    gives. Rows where the value is NaN for a recorded reason other than non-finite arithmetic
    (an image-independent network, a rank aggregate) are left alone.
    """
    from predictors.zero_cost import runner

    out = Path(out_dir)
    settings = json.loads((out / "manifest.json").read_text())["settings"]
    space, dataset, seed = settings["space"], settings["dataset"], settings["seed"]
    inputs = _run_inputs(dataset, settings["batch_size"], seed, device)
    redone = 0
    for path in sorted(out.glob("chunk-*.csv.gz")):
        df = pd.read_csv(path)
        reasons = row_reasons(df)
        changed = False
        for i, why in enumerate(reasons):
            redo = [p for p in proxies if any(
                (c == p or c.startswith(p + ".")) and str(r).startswith(runner.NON_FINITE)
                for c, r in why.items())]
            if not redo:
                continue
            res = runner.compute_arch(space, df.at[i, "arch"], dataset, inputs, redo, seed=seed,
                                      device=device)
            for col, value in res.values.items():
                df.at[i, col] = value
                why.pop(col, None)
            why.update(res.reasons)
            df.at[i, "reasons"] = json.dumps(why, sort_keys=True)
            changed, redone = True, redone + 1
        if changed:
            write_chunk(df, path)
    return redone


_INPUT_CACHE: dict[tuple, Any] = {}


def _run_inputs(dataset: str, batch_size: int, seed: int, device: str | None) -> Any:
    """The batches (or graph) a run on ``dataset`` reads: a TransNAS task's, else the dataset's."""
    return (_task_inputs(dataset, batch_size, seed, device) if _task(dataset)
            else _inputs(dataset, batch_size, seed, device))


def _task(dataset: str) -> tuple[int, tuple[int, int, int]] | None:
    """``(classes, input shape)`` of a TransNAS classification task, None for other datasets."""
    if dataset not in ("class_object", "class_scene"):
        return None
    from predictors.networks.transnas_macro import TASKS

    return TASKS[dataset]


def _task_note(dataset: str) -> str:
    task = _task(dataset)
    if task is None:
        return ""
    classes, (_, size, _) = task
    return TASK_IMAGES_NOTE.format(size=size, k=size // 32, dataset=dataset, classes=classes)


def _task_inputs(dataset: str, batch_size: int, seed: int, device: str | None) -> Any:
    """The CIFAR-10 batches of ``runner.cifar10_inputs`` at a TransNAS task's input size, with
    its number of classes."""
    from predictors import datasets
    from predictors.zero_cost import passes

    key = (dataset, batch_size, seed, device)
    if key not in _INPUT_CACHE:
        classes, (_, size, _) = _task(dataset)
        x, y = datasets.batch("cifar10", 2 * batch_size, seed=seed, resolution=size, device=device)
        _INPUT_CACHE[key] = passes.Inputs(x=x[:batch_size], y=y[:batch_size], x2=x[batch_size:],
                                          y2=y[batch_size:], num_classes=classes, seed=seed)
    return _INPUT_CACHE[key]


def _inputs(dataset: str, batch_size: int, seed: int, device: str | None) -> Any:
    from predictors.networks import dataset_info
    from predictors.zero_cost import runner

    key = (dataset, batch_size, seed, device)
    if key not in _INPUT_CACHE and dataset in runner.GRAPH_DATASETS:
        # a graph: the batch is its public split's training nodes (batch_size does not apply)
        _INPUT_CACHE[key] = runner.graph_inputs(dataset, seed, device)
    if key not in _INPUT_CACHE:
        num_classes, _ = dataset_info(dataset)
        if dataset not in ("cifar10", "cifar10-valid", "cifar100"):
            raise ValueError(
                f"no images for dataset {dataset!r} here: proxies run on CIFAR-10 images "
                "(cifar10, cifar10-valid; cifar100 with 100 classes on CIFAR-10 images)"
            )
        _INPUT_CACHE[key] = runner.cifar10_inputs(batch_size, seed, num_classes, device)
    return _INPUT_CACHE[key]


#: spaces whose official index is a key, not the enumeration position (NAS-Bench-Graph: the
#: ``.bench`` key): ``index`` in their results is that key, and an index in ``--archs`` is a key
KEYED_SPACES = ("nbgraph",)


def keyed_tokens(space: str, archs: Any) -> Any:
    """``archs`` with every index token of a ``KEYED_SPACES`` space turned into its arch string."""
    if space not in KEYED_SPACES or isinstance(archs, (str, int, np.integer)):
        return archs
    from nasbench import spaces

    sp = spaces.get(space)
    return [sp.arch_at(int(a)) if isinstance(a, (int, np.integer))
            or (isinstance(a, str) and a.strip().isdigit()) else a for a in archs]


def keyed(space: str, planned: list[tuple[int, str, list[str]]]) -> list[tuple[int, str, list[str]]]:
    """A plan with each arch's official key as its index on ``KEYED_SPACES`` spaces."""
    if space not in KEYED_SPACES:
        return planned
    from nasbench import spaces

    sp = spaces.get(space)
    return [(sp.index(a), a, p) for _, a, p in planned]


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
    threads: int = 1,
) -> Path:
    """Compute (or resume) a results directory; returns its path. See the module docstring.

    ``n_jobs`` processes (or a Dask ``scheduler``'s workers) each run one chunk at a time with
    ``threads`` torch threads: ``n_jobs=1, threads=2`` puts both cores of a small machine on one
    network at a time, at half the peak memory of ``n_jobs=2`` (large inputs, e.g. TransNAS at
    256x256). Thread counts do not enter the settings: a run may resume with others.

    Raises:
        ValueError: ``seed`` or ``order_seed`` below 0, ``chunk``, ``n_jobs`` or ``threads`` below
            1 (before anything is written), or ``out_dir`` holding results of other settings.
    """
    from tqdm import tqdm

    from predictors.parallel import imap_unordered
    from predictors.zero_cost import runner

    for name, value, low in (("seed", seed, 0), ("order_seed", order_seed, 0), ("chunk", chunk, 1),
                             ("n_jobs", n_jobs, 1), ("threads", threads, 1)):
        check_int(name, value, low)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    planned = keyed(space, plan(space, keyed_tokens(space, archs), proxies, order_seed=order_seed))
    jobs = chunks(planned, chunk)
    todo: list[Job] = []
    rows_before: set[int] = set()  # the indices of the chunks on disk, by the plan
    for j in jobs:
        if chunk_path(out, j).exists():
            rows_before.update(j.indices)
        else:
            todo.append(j)
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
        "images": runner.describe_inputs(dataset, batch_size, seed) + _task_note(dataset),
        "planned_archs": len(planned),
        "chunks_total": len(jobs),
    })
    manifest["wall_seconds_before"] = manifest.get("wall_seconds", 0.0)
    _write_manifest(manifest_path, manifest)
    t0 = time.time()
    bar = tqdm(total=len(jobs), initial=len(jobs) - len(todo), unit="chunk",
               disable=not progress, desc=f"{space} proxies")
    work = functools.partial(run_job, space=space, dataset=dataset, out_dir=str(out), seed=seed,
                             batch_size=batch_size, device=device, threads=threads)
    done_before = len(rows_before)
    # a fanned-out plan: a representative's every proxy costs far more than another cell's few
    fanned = any(p != proxies for _, _, p in planned)

    def log() -> None:
        parts = split_progress(planned, proxies, read_results(out), rows_before) if fanned else None
        print(progress_line(space, manifest, done_before, time.time() - t0, parts, n_jobs),
              file=sys.stderr, flush=True)

    logged = t0
    for _ in imap_unordered(work, todo, n_jobs=n_jobs, scheduler=scheduler):
        bar.update(1)
        _progress(manifest_path, manifest, out, t0)
        if not progress and time.time() - logged >= LOG_SECONDS:
            logged = time.time()
            log()
    bar.close()
    _progress(manifest_path, manifest, out, t0)
    if not progress:
        log()
    if manifest.get("rows_missing_per_cell"):  # rows from before a proxy became per-cell
        fill(out, device=device, progress=progress, n_jobs=n_jobs, scheduler=scheduler)
        _progress(manifest_path, manifest, out, t0)
    return out


def _progress(path: Path, manifest: dict, out: Path, t0: float) -> None:
    manifest["wall_seconds"] = round(manifest.get("wall_seconds_before", 0.0) + time.time() - t0, 1)
    manifest["host"] = socket.gethostname()
    count_done(out, manifest)


#: a fanned-out plan's two parts, as ``split_progress`` names them
FULL_PART, CELL_PART = "class representatives (every proxy)", "other cells (per-cell proxies)"


def split_progress(
    planned: list[tuple[int, str, list[str]]],
    proxies: list[str],
    rows: pd.DataFrame,
    rows_before: Collection[int] = (),
) -> dict[str, tuple[int, int, float]]:
    """A fanned-out plan's progress by part: ``{part: (done, planned, mean seconds of the rows
    this run did, NaN before its first)}``; rows are matched to the plan by ``index``, and
    ``rows_before`` are the indices done when the run started: their seconds may be another
    machine's or another thread count's, so they count as done but not towards the pace."""
    full = {i for i, _, p in planned if p == proxies}
    is_full = rows["index"].isin(full).to_numpy()
    is_new = ~rows["index"].isin(rows_before).to_numpy()
    seconds = rows["seconds"].to_numpy(float)
    out = {}
    for part, mask, n in ((FULL_PART, is_full, len(full)),
                          (CELL_PART, ~is_full, len(planned) - len(full))):
        timed = mask & is_new
        out[part] = (int(mask.sum()), n, float(seconds[timed].mean()) if timed.any() else math.nan)
    return out


def progress_line(
    space: str,
    manifest: dict,
    done_before: int,
    seconds: float,
    parts: dict[str, tuple[int, int, float]] | None = None,
    n_jobs: int = 1,
) -> str:
    """One line for a run's log: archs done of planned, this run's pace and the time it implies
    for the rest (``manifest`` as ``count_done`` leaves it; ``done_before``: archs done when the
    run started; ``seconds``: this run's wall time so far).

    With ``parts`` (``split_progress`` of a fanned-out plan) the line counts each part and the
    time left is each part's archs left times the mean seconds of the rows this run did in it,
    over ``n_jobs``: one pace over both would price a representative's every proxy at another
    cell's few, or the reverse. A part this run has not timed yet is said so, never guessed."""
    done, planned = manifest["archs_done"], manifest["planned_archs"]
    line = f"{space} proxies: {done:,} of {planned:,} archs ({100 * done / max(planned, 1):.1f}%)"
    if parts:
        return line + _parts_line(parts, n_jobs)
    new = done - done_before
    if new <= 0 or seconds <= 0:
        return line
    pace = 60 * new / seconds
    line += f", {pace:.1f} archs/min over this run's {seconds / 60:.0f} min"
    if done < planned:
        left = (planned - done) / pace
        line += f", about {int(left // 60)} h {int(left % 60):02d} min left at that pace"
    return line


def _parts_line(parts: dict[str, tuple[int, int, float]], n_jobs: int) -> str:
    line, minutes, timed, untimed = "", 0.0, [], []
    for part, (done, planned, mean) in parts.items():
        if not planned:
            continue
        line += f"; {part}: {done:,} of {planned:,}"
        name = part.split(" (")[0]
        if done == planned:
            continue
        if math.isnan(mean):
            line += ", not timed yet"
            untimed.append(name)
        else:
            line += f", {mean:.1f} s each"
            minutes += (planned - done) * mean / 60 / n_jobs
            timed.append(name)
    if timed:
        line += f"; about {int(minutes // 60)} h {int(minutes % 60):02d} min left"
        if untimed:
            line += f" for the {' and '.join(timed)}, more for the {' and '.join(untimed)}"
    return line


def count_done(out_dir: str | Path, manifest: dict | None = None) -> dict:
    """Set the manifest's ``archs_done`` and ``arch_seconds_sum`` from the chunks in ``out_dir``
    and write it; returns it. For chunks that arrived from elsewhere (a GPU run merged by
    ``benchmarks/device_run.py collect``): the store's recipe reads ``archs_done`` to call a
    table complete or partial."""
    out = Path(out_dir)
    path = out / "manifest.json"
    manifest = json.loads(path.read_text()) if manifest is None else manifest
    done = read_results(out)
    manifest["archs_done"] = int(len(done))
    manifest["rows_missing_per_cell"] = missing_per_cell(out, done)
    manifest["arch_seconds_sum"] = round(float(done["seconds"].sum()), 1)
    _write_manifest(path, manifest)
    return manifest


def _write_manifest(path: Path, manifest: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True, default=str)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


@torch_threads(1)
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
    from scipy.stats import spearmanr

    from nasbench.spaces.nb201 import SPACE
    from predictors.zero_cost import runner

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
