"""NAS-Bench-Suite-Zero's extra tasks: ~200 archs per space trained on NinaPro, Spherical CIFAR-100
and SVHN, with 13 zero-cost proxies each.

Source: NASLib ``run/results/benchmarks/9x_all.zip`` (branch ``experiments``), read in memory.
It holds ``<proxy>/benchmark--<space>--<task>--0.json``, each a list of ``{idx, arch, <proxy>:
{score, time}, val_accuracy}``, for 3 spaces x 3 tasks ("9x") x 13 proxies:

=====================  ====  ==========================================================
space in the zip       archs  where nasbench stores it
=====================  ====  ==========================================================
``nasbench201``         199  this module's store ``naslib_zc_tasks`` (space nb201);
                              ``nb201_parts()`` can attach it to the ``nb201`` store
``nasbench301``         199  the ``nb301`` store (rows 500..698)
``transbench101_micro`` 192  the ``transnas101_micro`` store
=====================  ====  ==========================================================

Within a space the same archs (same ``idx``) appear for all 3 tasks and all 13 proxies, with one
``val_accuracy`` per (arch, task) (checked on reading). ``val_accuracy`` is the validation accuracy
(%) NASLib's authors obtained by training the arch on the task themselves (the NAS-Bench-360
tasks are not part of NB201, NB301 or TransNAS-Bench-101); the file does not state the schedule,
so ``budget`` is None. Chance level: 1 % (scifar100), ~19.6 % (svhn, the majority class).

Arch keys: NB201 and NB301 use NASLib's usual encodings. The TransNAS micro tuples use NASLib's
*earlier* convention, the one of its NB201 tuples (ops 0 skip, 1 none, 2 conv3x3, 3 conv1x1; edge
order 0->1, 0->2, 0->3, 1->2, 1->3, 2->3), unlike NASLib's TransNAS files (the string's digits).
Evidence: under that convention, and under no other op/edge order tried, the two cells whose
proxies fail are exactly the disconnected ones, and they are the two with chance-level accuracy;
``params`` grows by ~1.57 M per id 2 and ~0.16 M per id 3 (the 3x3 / 1x1 ratio). They are read
with ``transnas_micro.SPACE.from_naslib(ids, legacy=True)``.

Columns per task: ``valid_accuracy``; ``flops`` and ``params`` (millions, NASLib's count of the
network it built for the task); ``zc/<proxy>`` for the other 11 proxies (score; direction "max",
the proxy's own sign); ``zc_time/<proxy>`` is not stored. NASLib's failure sentinel -1e8 is NaN.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nasbench.recipes.base import Part, Recipe, align, zc_column
from nasbench.sources import Source
from nasbench.store import Column
from nasbench.vocab import PROXY_DESCRIPTIONS, naslib_missing

SOURCE = Source(
    path="naslib-zc-subsets/run_results_benchmarks_9x_all.zip",
    sha256="17afb91c43dbf2d429ad79c57fbb5838f390a980648731753eb90da81bb2de62",
    repo="https://github.com/automl/NASLib",
    commit="ba4ffd845db508e475085f48f3bd3f40af05b551",
    repo_path="run/results/benchmarks/9x_all.zip",
    license="Apache-2.0",
    note="NAS-Bench-Suite-Zero 9x: {NB201, NB301, TNB101-micro} x {ninapro, scifar100, svhn}, 13 proxies",
)

TASKS = ("ninapro", "scifar100", "svhn")
TASK_NAMES = {
    "ninapro": "NinaPro DB5 (EMG gesture classification, NAS-Bench-360)",
    "scifar100": "Spherical CIFAR-100 (NAS-Bench-360)",
    "svhn": "SVHN digit classification",
}
#: the 11 proxies of the 9x tables (every proxy of ``PROXY_DESCRIPTIONS``)
PROXIES = {name: PROXY_DESCRIPTIONS[name] for name in sorted(PROXY_DESCRIPTIONS)}
COSTS = {"flops": "FLOPs", "params": "parameter count"}

#: arch key in the zip -> the space's string
Converter = Callable[[str], str]


def read_zip(path: Path, space_key: str, convert: Converter) -> dict[str, dict]:
    """task -> {"archs": strings in ``idx`` order, "val": array, <proxy>: array} for one space.

    Raises:
        ValueError: a task or proxy file is missing, archs differ between files, or one arch has
            two different ``val_accuracy`` values.
    """
    out: dict[str, dict] = {}
    memo: dict[str, str] = {}  # every arch key recurs in 13 proxy files

    def conv(key: str) -> str:
        if key not in memo:
            memo[key] = convert(key)
        return memo[key]

    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.endswith(".json")]
        for task in TASKS:
            per_task: dict = {}
            for proxy in (*PROXIES, *COSTS):
                name = f"{proxy}/benchmark--{space_key}--{task}--0.json"
                if name not in names:
                    raise ValueError(f"{SOURCE.path}: {name} is missing")
                recs = sorted(json.loads(zf.read(name)), key=lambda r: int(r["idx"]))
                archs = [conv(r["arch"]) for r in recs]
                val = np.array([r["val_accuracy"] for r in recs], dtype=np.float64)
                if "archs" not in per_task:
                    per_task["archs"], per_task["val"] = archs, val
                elif archs != per_task["archs"] or not np.array_equal(val, per_task["val"]):
                    raise ValueError(
                        f"{SOURCE.path}: {name} lists other archs or val_accuracy than "
                        f"{space_key}/{task}'s other proxy files"
                    )
                per_task[proxy] = naslib_missing([r[proxy]["score"] for r in recs])
            out[task] = per_task
    first = out[TASKS[0]]["archs"]
    for task in TASKS[1:]:
        if out[task]["archs"] != first:
            raise ValueError(f"{SOURCE.path}: {space_key} lists other archs for {task} than {TASKS[0]}")
    return out


def archs_of(path: Path, space_key: str, convert: Converter) -> list[str]:
    """The space's archs in the zip, in ``idx`` order."""
    return read_zip(path, space_key, convert)[TASKS[0]]["archs"]


def columns(path: Path, archs: list[str], space_key: str, convert: Converter) -> list[Column]:
    """Every column of one space's 9x data, aligned with ``archs``."""
    data = read_zip(path, space_key, convert)
    cols = []
    for task, table in data.items():
        keys = table["archs"]
        what = f"{SOURCE.path} ({space_key}/{task})"
        where = f"{TASK_NAMES[task]}; NAS-Bench-Suite-Zero ({len(keys)} archs, {space_key})"
        cols.append(
            Column(
                dataset=task,
                metric="valid_accuracy",
                values=align(keys, table["val"], archs, what=what),
                unit="%",
                split="valid",
                budget=None,
                aggregation="single",
                description=(
                    f"validation accuracy after NASLib's training of the arch on {where}; one run, "
                    "schedule not stated in the source"
                ),
                direction="max",
            )
        )
        cols += [
            cost_column(
                task, cost, align(keys, table[cost], archs, what=what),
                f"{label} in millions of the network NASLib built for {where}",
            )
            for cost, label in COSTS.items()
        ]
        cols += [
            zc_column(
                task, proxy, align(keys, table[proxy], archs, what=what),
                f"zero-cost proxy {label} at initialisation on {where}; NaN where NASLib "
                "recorded its failure sentinel. Higher = better in Suite-Zero's use",
            )
            for proxy, label in PROXIES.items()
        ]
    return cols


def cost_column(dataset: str, cost: str, values: np.ndarray, what: str) -> Column:
    """``flops`` or ``params`` (millions) as NASLib counted them; ``what`` says of which network."""
    return Column(
        dataset=dataset,
        metric=cost,
        values=values,
        unit="M",
        split="",
        budget=None,
        aggregation="single",
        description=f"{what}; Suite-Zero also uses it as a zero-cost proxy",
        direction="",
    )


def _nb201_convert(key: str) -> str:
    from nasbench.spaces.nb201 import SPACE

    return SPACE.from_naslib(key)


def _nb201_archs(paths: list[Path]) -> list[str]:
    return archs_of(paths[0], "nasbench201", _nb201_convert)


def _read_nb201(paths: list[Path], archs: list[str]) -> list[Column]:
    return columns(paths[0], archs, "nasbench201", _nb201_convert)


def nb201_parts() -> list[Part]:
    """The NB201 part, for attaching these tasks to the full ``nb201`` store."""
    return [Part("suite-zero-9x-nb201", (SOURCE,), _read_nb201, "NAS-Bench-Suite-Zero 9x, NB201")]


RECIPE = Recipe(
    name="naslib_zc_tasks",
    space="nb201",
    archs=_nb201_archs,
    arch_sources=(SOURCE,),
    parts=nb201_parts(),
    official_index=False,
    description=(
        "NAS-Bench-Suite-Zero's extra tasks for NB201 cells: 199 cells (NASLib's idx order) "
        "trained by NASLib's authors on NinaPro, Spherical CIFAR-100 ('scifar100') and SVHN, with "
        "validation accuracy, FLOPs, params and 11 zero-cost proxies per task. The same file's "
        "NB301 and TransNAS micro archs live in the 'nb301' and 'transnas101_micro' stores."
    ),
)
