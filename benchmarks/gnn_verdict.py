"""The GNN targets of issue 10, judged from the committed result sections.

Usage::

    .venv/bin/python benchmarks/gnn_verdict.py [--out benchmarks/results/gnn.md]

Rewrites the head of ``benchmarks/results/gnn.md`` (everything before its first result section):
a protocol paragraph and a verdict table whose every cell is read from a section that
``benchmarks/gnn.py`` wrote (its Kendall leaderboard, its paired differences, or the fit-time
table), named in the cell. Whether a target is met is computed from the reading's 95 % interval:
"yes" when the whole interval clears the target, "on the mean only" when the mean does and the
interval does not, "no" otherwise. Nothing is trained; a section that is missing or lacks the
predictor stops the script with the file and section it looked for.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

#: ``mean [lo, hi]`` as ``benchmarks/gnn.py`` prints it (bold on the leader)
_CELL = re.compile(r"\*{0,2}([+-]?[\d.]+) \[([+-]?[\d.]+), ([+-]?[\d.]+)\]\*{0,2}")


@dataclass(frozen=True)
class Reading:
    """One number in a committed section: ``predictor``'s Kendall at ``n`` training archs (or, with
    ``other``, the paired Kendall difference ``predictor`` minus ``other``)."""

    file: str
    section: str  # the section title, as written after "## "
    predictor: str
    n: int
    other: str | None = None


@dataclass(frozen=True)
class Target:
    label: str
    bound: float
    readings: tuple[Reading, ...]


TEN_SEEDS = "NB201 cifar10 test accuracy: GNN vs GBDT, 10 seeds"
MERGED = "NB201 cifar10, 78 archs, 10 seeds: isomorphic cells merged, ensembles of initialisations"
ZCPRE = ("NB201 cifar10, 78 archs, 10 seeds: encoder pretrained on data-free zero-cost proxies "
         "(gnn-zcpre)")
NB101_ENS = "NB101 cifar10 valid accuracy, 100 archs, 10 seeds: ensembles of initialisations"
NB101_ZCPRE = ("NB101 cifar10 valid accuracy, 100 archs, 10 seeds: encoder pretrained on the "
               "data-free proxies of the 1,000 nb101_datafree_zc cells")
BOTH_SZ = ("NB201 cifar10, 10 seeds: proxy features with and without the proxy-pretrained encoder "
           "(archs with every proxy)")
BOTH_OWN = ("NB201 cifar10, 10 seeds: the same with every proxy of our own table (nb201_zc) as "
            "features")

#: Kendall targets of issue 10: each reading is judged against ``bound``
TARGETS = (
    Target("NB201 cifar10, 78 archs, from the encoding alone", 0.80, (
        Reading("gnn.md", TEN_SEEDS, "gnn", 78), Reading("gnn_small.md", MERGED, "gnn-ens", 78))),
    Target("NB201 cifar10, 78 archs, encoder pretrained on data-free proxies", 0.80, (
        Reading("gnn_small.md", ZCPRE, "gnn-zcpre", 78),
        Reading("gnn_small.md", ZCPRE, "gnn-zcpre-ens", 78))),
    Target("NB201 cifar10, 781 archs", 0.85, (Reading("gnn.md", TEN_SEEDS, "gnn", 781),)),
    Target("NB101 valid accuracy, 100 archs, from the encoding alone", 0.75, (
        Reading("gnn_nb101.md", NB101_ENS, "gnn", 100),
        Reading("gnn_nb101.md", NB101_ENS, "gnn-ens", 100))),
    Target("NB101 valid accuracy, 100 archs, encoder pretrained on data-free proxies", 0.75, (
        Reading("gnn_nb101.md", NB101_ZCPRE, "gnn-zcpre@pretrain_bench=nb101_datafree_zc", 100),
        Reading("gnn_nb101.md", NB101_ZCPRE, "gnn-zcpre-ens@pretrain_bench=nb101_datafree_zc", 100))),
    Target("with zero-cost proxies as features: above `xgb-both-plus` (paired difference > 0)", 0.0, (
        Reading("gnn_both.md", BOTH_SZ, "gnn-both-zcpre", 100, other="xgb-both-plus"),
        Reading("gnn_both.md", BOTH_OWN, 'gnn-both-zcpre@bench="nb201_zc"', 100,
                other='xgb-both-plus@bench="nb201_zc"'))),
)

#: "fits 1,000 archs in under a minute on 2 cores (CPU)"
FIT_FILE, FIT_PREDICTOR, FIT_BOUND = "gnn_fit_time.md", "gnn", 60.0


def sections(path: Path) -> dict[str, str]:
    """Title -> body of every ``## `` section of a results file."""
    if not path.is_file():
        raise SystemExit(f"{path}: no such results file; run benchmarks/gnn.py for it first")
    parts = ("\n" + path.read_text()).split("\n## ")[1:]
    return {p.split("\n", 1)[0]: p for p in parts}


def read(reading: Reading, folder: Path = RESULTS) -> tuple[float, float, float]:
    """``(mean, lo, hi)`` of one reading (the first Kendall leaderboard of the section, or the
    paired-difference row, sign-flipped when the section's leader is ``other``)."""
    where = f"{reading.file}, section '{reading.section}'"
    body = sections(folder / reading.file).get(reading.section)
    if body is None:
        raise SystemExit(f"{where}: no such section")
    lines = body.splitlines()
    if reading.other is None:
        header = next((i for i, line in enumerate(lines) if line.startswith("| predictor | n=")), None)
        if header is None:
            raise SystemExit(f"{where}: no leaderboard")
        sizes = [int(c.strip()[2:].replace(",", "")) for c in lines[header].split("|")[2:-1]]
        if reading.n not in sizes:
            raise SystemExit(f"{where}: no column n={reading.n} (has {sizes})")
        for line in lines[header + 2:]:
            if not line.startswith("|"):
                break
            cells = [c.strip() for c in line.split("|")[1:-1]]
            if cells[0] == reading.predictor:
                m = _CELL.fullmatch(cells[1 + sizes.index(reading.n)])
                return float(m[1]), float(m[2]), float(m[3])
        raise SystemExit(f"{where}: no row for {reading.predictor}")
    for line in lines:
        cells = [c.strip() for c in line.split("|")[1:-1]]
        if len(cells) == 6 and cells[0].replace(",", "") == str(reading.n) and \
                {cells[1], cells[2]} == {reading.predictor, reading.other}:
            d, lo, hi = (float(x) for x in _CELL.fullmatch(cells[3]).groups())
            return (d, lo, hi) if cells[1] == reading.predictor else (-d, -hi, -lo)
    raise SystemExit(f"{where}: no paired difference of {reading.predictor} and {reading.other}")


def judge(mean: float, lo: float, bound: float) -> str:
    """"yes" when the interval clears ``bound``, "on the mean only" when only the mean does."""
    return "yes" if lo > bound else "on the mean only" if mean > bound else "no"


def fit_time(folder: Path = RESULTS) -> tuple[float, float]:
    """``(wall s, CPU s)`` of the default ``gnn`` fitting 1,000 archs (``gnn_fit_time.md``)."""
    for body in sections(folder / FIT_FILE).values():
        for line in body.splitlines():
            cells = [c.strip() for c in line.split("|")[1:-1]]
            if len(cells) == 3 and cells[0] == FIT_PREDICTOR:
                return float(cells[1]), float(cells[2])
    raise SystemExit(f"{FIT_FILE}: no fit-time row for {FIT_PREDICTOR}")


def verdict(folder: Path = RESULTS) -> str:
    """The head of ``gnn.md``: protocol and the verdict table."""
    lines = [
        "# GNN predictors (`predictors.gnn`): results", "",
        "Protocol of `predictors.evaluate` (1,000 test archs, nested training sets, the same splits "
        "for every predictor). Intervals are 95 % (Fisher z) over the seeds; paired differences are "
        "per seed on identical splits, with a bootstrap interval of the mean. Each section below "
        "gives the command that made it; notes on what was tried: [gnn_notes.md](gnn_notes.md).",
        "", "## Verdict against the targets of issue 10 (Kendall)", "",
        "Written by `.venv/bin/python benchmarks/gnn_verdict.py` from the sections it names.", "",
        "| target | bound | predictor | Kendall (a paired difference where signed) [95 % interval] | met? | read from |",
        "|---|---:|---|---|---|---|",
    ]
    for target in TARGETS:
        for r in target.readings:
            mean, lo, hi = read(r, folder)
            sign = "+" if r.other else ""  # a difference carries its sign, a Kendall does not
            who = r.predictor if r.other is None else f"{r.predictor} minus {r.other}"
            lines.append(f"| {target.label} | {target.bound:.2f} | `{who}` | {mean:{sign}.3f} "
                         f"[{lo:{sign}.3f}, {hi:{sign}.3f}] | {judge(mean, lo, target.bound)} | "
                         f"`{r.file}`: {r.section} |")
    wall, cpu = fit_time(folder)
    lines += ["", f"Fit time of `{FIT_PREDICTOR}` on 1,000 archs (`{FIT_FILE}`, one torch thread): "
              f"{cpu:.1f} CPU s, {wall:.1f} s wall; under {FIT_BOUND:.0f} s of CPU: "
              f"{'yes' if cpu < FIT_BOUND else 'no'}; in wall time on the loaded machine: "
              f"{'yes' if wall < FIT_BOUND else 'no'}.", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=RESULTS / "gnn.md")
    args = ap.parse_args(argv)
    head = verdict(args.out.parent)
    body = args.out.read_text().split("\n## ")
    kept = [s for s in body[1:] if not s.startswith("Verdict against")]
    args.out.write_text(head + "\n" + "\n".join("## " + s for s in kept))
    print(head)
    return 0


if __name__ == "__main__":
    sys.exit(main())
