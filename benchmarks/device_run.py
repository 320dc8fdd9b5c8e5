"""The long computations on a borrowed GPU machine, as one prepared, time-boxed call.

Some sessions are lent a machine with a GPU for a few minutes (see the project's device notes);
everything the toolkit computes there is computed here too, only slower, so this driver only
moves work: it packs the inputs the jobs read, runs the jobs there until a deadline (every job
resumes from its committed results and writes atomically, so stopping it loses only the work in
flight), and merges what came back into ``data/``. The CPU path stays the one the tests run.

Three steps::

    # here: inputs the jobs read, into .device/ (git-ignored; carried to the machine)
    .venv/bin/python benchmarks/device_run.py prepare
    # there (device tool, carry [".device"]), e.g. 480 s of work; jobs x workers ~ the 16 cores:
    python3 benchmarks/device_run.py run --seconds 480 --out $OUT \
        --jobs zc-nb201_cifar10,zc-nbmacro_cifar10,bank-cora --workers 5
    # here: merge the returned archive into data/zc/... and data/bank/...
    .venv/bin/python benchmarks/device_run.py collect /path/to/files_at/results.tar.gz

Jobs (``--jobs``, comma-separated, default all):

* ``zc-<folder>``, one per proxy table under ``data/zc/`` (``zc-nb201_cifar10``,
  ``zc-nb101_cifar10``, ``zc-nbgraph_cora``, ...): the ``nasbench proxies`` run of that folder with
  the settings in its ``manifest.json`` (space, dataset, chunk, batch size), so the committed chunks
  are skipped and the new ones continue the same plan, then the per-cell proxies rows lack are
  filled into the existing chunks (``zc-nb201_cifar10``: Zen and MeCo for 9,159 cells; changed
  chunks come back too and ``collect`` adds only what they add); ``--device cuda``, ``--workers``
  processes sharing the GPU. TF32 is switched off (``NVIDIA_TF32_OVERRIDE=0``) so the GPU's float32
  matches the CPU's to rounding; the chunks computed there are listed in ``device_runs.json``
  beside the results.
* ``bank-cora``: ``nasbench build-bank --space nbgraph --dataset cora`` for the architectures
  ``prepare`` listed (500 seeded plus the best and worst on Cora), split over ``--workers``
  processes, each writing its own folder; ``collect`` merges them into
  ``data/bank/nbgraph_cora`` after checking they share one recipe.

Nothing here reads the raw-data folder on the GPU machine: CIFAR-10 images come from an input pack
(``predictors.datasets.write_pack``), Cora from the Planetoid files copied into ``.device/data``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREP = ROOT / ".device"
ZC_ROOT = Path("data/zc")
BANK_CORA = Path("data/bank/nbgraph_cora")
#: the Cora bank's recipe (flags of ``nasbench build-bank``): NAS-Bench-Graph's own, as the CPU run
#: of ``data/bank/nbgraph_cora`` uses it
CORA_RECIPE = ["--space", "nbgraph", "--dataset", "cora", "--benchmark-recipe",
               "--calib-epochs", "100,200,400", "--train-seed", "777"]


def zc_jobs() -> dict[str, Path]:
    """``zc-<folder>`` -> the results folder, for every proxy table with a manifest."""
    return {f"zc-{d.name}": d for d in sorted((ROOT / ZC_ROOT).iterdir())
            if (d / "manifest.json").is_file()}


def _zc_command(folder: Path, device: str, workers: int) -> list[str]:
    s = json.loads((folder / "manifest.json").read_text())["settings"]
    return [sys.executable, "-m", "nasbench.cli", "proxies", s["space"], "--dataset", s["dataset"],
            "--archs", "all", "--chunk", str(s["chunk"]), "--batch-size", str(s["batch_size"]),
            "--seed", str(s["seed"]), "--order-seed", str(s["order_seed"]),
            "--proxies", ",".join(s["proxies"]), "--no-progress", "--device", device,
            "--n-jobs", str(workers), "--out", str(folder)]


def _bank_command(archs: list[str], folder: Path, device: str) -> list[str]:
    cmd = [sys.executable, "-m", "predictors.bank", "--out", str(folder), *CORA_RECIPE,
           "--device", device, "--quiet", "--no-extremes"]
    for a in archs:
        cmd += ["--arch", a]
    return cmd


def prepare(n_bank: int) -> None:
    """Write ``.device/``: the input pack, Cora's files under a data root, the bank's arch list."""
    from nasbench.config import data_root
    from predictors import bank, datasets

    PREP.mkdir(exist_ok=True)
    datasets.write_pack(PREP / "inputs.npz", [("cifar10", "train", 128, 0)])
    src = data_root() / "inputs" / "planetoid-cora-citeseer"
    shutil.copytree(src, PREP / "data" / "inputs" / src.name, dirs_exist_ok=True)
    done = {r["arch"] for r in bank.read_results(ROOT / BANK_CORA)}
    archs = [a for a in bank.select_archs("nbgraph", n_bank, seed=0) if a not in done]
    (PREP / "bank_cora_archs.txt").write_text("".join(a + "\n" for a in archs))
    size = sum(f.stat().st_size for f in PREP.rglob("*") if f.is_file())
    print(f"prepared {PREP} ({size / 1e6:.1f} MB): input pack, Cora files, {len(archs)} bank archs "
          f"({len(done)} already in {BANK_CORA})")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1",
        "NASBENCH_INPUT_PACK": str(PREP / "inputs.npz"), "NASBENCH_DATA": str(PREP / "data"),
        "NVIDIA_TF32_OVERRIDE": "0",
    })
    return env


def _start(cmd: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def run(seconds: float, out: Path, jobs: list[str], workers: int, device: str) -> None:
    """Start every job, stop them all at the deadline, pack what is new into ``out``."""
    from nasbench.recipes._bank import result_files

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="device-run-"))
    tables = {j: d for j, d in zc_jobs().items() if j in jobs}
    # a resumed run writes new chunks and fills per-cell proxies into existing ones: pack both
    before = {p: _digest(p) for d in tables.values() for p in d.glob("chunk-*.csv.gz")}
    procs: list[subprocess.Popen] = []
    for job, folder in tables.items():
        procs.append(_start(_zc_command(folder, device, workers), out / f"{job}.log"))
    if "bank-cora" in jobs:
        archs = (PREP / "bank_cora_archs.txt").read_text().split()
        for w in range(workers):
            procs.append(_start(_bank_command(archs[w::workers], work / f"bank-{w}", device),
                                out / f"bank-cora-{w}.log"))
    started = time.time()
    deadline = started + seconds
    while time.time() < deadline and any(p.poll() is None for p in procs):
        time.sleep(5)
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
    new = sorted(p for d in tables.values() for p in d.glob("chunk-*.csv.gz")
                 if before.get(p) != _digest(p))
    with tarfile.open(out / "results.tar.gz", "w:gz") as tar:
        for p in new:
            tar.add(p, arcname=f"zc/{p.parent.name}/{p.name}")
        for folder in sorted(work.glob("bank-*")):
            for f in [folder / "recipe.json", *result_files(folder)]:
                if f.is_file():
                    tar.add(f, arcname=f"{folder.name}/{f.name}")
        info = {"device": _device_name(device), "seconds": seconds,
                "elapsed": round(time.time() - started, 1),
                "zc_chunks": [f"{p.parent.name}/{p.name}" for p in new]}
        blob = json.dumps(info, indent=1).encode()
        meta = tarfile.TarInfo("run.json")
        meta.size = len(blob)
        tar.addfile(meta, io.BytesIO(blob))
    print(f"{len(new)} proxy chunks, {len(list(work.glob('bank-*')))} bank folders -> {out / 'results.tar.gz'}")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def merge_chunk(ours: Path, theirs: Path) -> int:
    """Add to the chunk ``ours`` the values ``theirs`` (the same chunk, filled elsewhere) has and
    it lacks, with their recorded reasons; a value here is never replaced. Writes atomically, only
    when something is added; returns the number of rows that gained a value.

    Raises:
        ValueError: the two chunks hold other archs (not the same chunk).
    """
    from predictors.zero_cost.table import row_reasons, write_chunk

    a = pd.read_csv(ours, dtype={"arch": str})
    b = pd.read_csv(theirs, dtype={"arch": str})
    if sorted(a["arch"]) != sorted(b["arch"]):
        raise ValueError(f"{theirs.name}: holds other archs than {ours}; not merged")
    b = b.set_index("arch").reindex(a["arch"]).reset_index()
    metrics = [c for c in b.columns if c not in ("index", "arch", "reasons", "seconds")]
    gained = np.zeros(len(a), bool)
    for col in metrics:
        if col not in a:
            a[col] = np.nan
        new = a[col].isna().to_numpy() & b[col].notna().to_numpy()
        a.loc[new, col] = b.loc[new, col]
        gained |= new
    ra, rb = row_reasons(a), row_reasons(b)
    for i, (x, y) in enumerate(zip(ra, rb)):
        extra = {k: v for k, v in y.items() if k not in x and (k not in a or pd.isna(a.at[i, k]))}
        if extra:
            x.update(extra)
            gained[i] = True
        a.at[i, "reasons"] = json.dumps(x, sort_keys=True)
    a.loc[gained, "seconds"] = b.loc[gained, "seconds"].to_numpy()
    if gained.any():
        write_chunk(a, ours)
    return int(gained.sum())


def _device_name(device: str) -> str:
    if device.startswith("cuda"):
        import torch

        return torch.cuda.get_device_name(0)
    return device


def collect(archive: Path) -> None:
    """Merge a returned archive: new proxy chunks into their ``data/zc/<folder>``, chunks that exist
    here completed with the values they lack (``merge_chunk``: per-cell proxies filled on the
    device; a value here is kept); the manifest's counts follow. Bank records into
    ``data/bank/nbgraph_cora`` (``predictors.bank.merge``: one recipe, no duplicates, nothing
    written if a recipe differs)."""
    from predictors import bank
    from predictors.zero_cost.table import count_done

    tmp = Path(tempfile.mkdtemp(prefix="device-collect-"))
    with tarfile.open(archive) as tar:
        tar.extractall(tmp, filter="data")
    info = json.loads((tmp / "run.json").read_text())
    added_records = bank.merge(ROOT / BANK_CORA, sorted(tmp.glob("bank-*")))
    added: dict[str, list[str]] = {}
    for f in sorted(tmp.glob("zc/*/chunk-*.csv.gz")):
        target = ROOT / ZC_ROOT / f.parent.name / f.name
        if not target.parent.is_dir():
            continue
        if not target.exists():
            shutil.copy2(f, target)
        elif not merge_chunk(target, f):
            continue
        added.setdefault(f.parent.name, []).append(f.name)
    for folder, chunks in added.items():
        count_done(ROOT / ZC_ROOT / folder)
        log = ROOT / ZC_ROOT / folder / "device_runs.json"
        runs = json.loads(log.read_text()) if log.is_file() else []
        runs.append({"device": info["device"], "date": time.strftime("%Y-%m-%d"),
                     "wall_seconds": info.get("elapsed"), "chunks": chunks})
        log.write_text(json.dumps(runs, indent=1) + "\n")
    print(f"collected: {sum(map(len, added.values()))} new or completed proxy chunks; {added_records} new Cora "
          f"bank records (device: {info['device']})")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="step", required=True)
    pp = sub.add_parser("prepare", help="write .device/ here")
    pp.add_argument("--bank-archs", type=int, default=500)
    pr = sub.add_parser("run", help="run the jobs until the deadline (on the GPU machine)")
    pr.add_argument("--seconds", type=float, required=True)
    pr.add_argument("--out", type=Path, required=True)
    pr.add_argument("--jobs", default="all", help="comma-separated: zc-<folder>, bank-cora, or all")
    pr.add_argument("--workers", type=int, default=8, help="processes per job sharing the GPU")
    pr.add_argument("--device", default="cuda")
    pc = sub.add_parser("collect", help="merge a returned results.tar.gz here")
    pc.add_argument("archive", type=Path)
    args = p.parse_args(argv)
    if args.step == "prepare":
        prepare(args.bank_archs)
    elif args.step == "run":
        known = [*zc_jobs(), "bank-cora"]
        jobs = known if args.jobs == "all" else args.jobs.split(",")
        unknown = sorted(set(jobs) - set(known))
        if unknown:
            p.error(f"unknown job {unknown[0]!r}; use some of {', '.join(known)}")
        run(args.seconds, args.out, jobs, args.workers, args.device)
    else:
        collect(args.archive)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
