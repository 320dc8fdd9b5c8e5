"""The frame every reproduction shares: published numbers, cells, verdict rules, reports.

A study (one module per paper, see ``predictors.reproduce``) computes numbers from the stores and
puts each one next to the published number in a ``Cell``. ``judge`` gives every cell its verdict
from the numbers alone:

* **match**: the published number lies inside the 95% interval of ours, widened by the published
  number's rounding (half a unit of its last digit) and, where the study knows it, by the
  published number's own sampling uncertainty;
* **differs**: it does not;
* **explained**: it does not, and an explanation rule whose condition was checked on the data
  (e.g. "the same model on all 15,625 archs gives 0.627, inside the interval") accounts for it;
* **beats** / **below**: for a cell that compares a model of ours with a published one, the whole
  interval of the difference lies above / below zero; **level** when it contains zero;
* **ours**: there is no published number (a fact computed from the tables).

Independently, a cell may be *expected* to agree within a declared ``tol`` (printed next to it);
``Report.failures`` lists the expected cells whose difference exceeds it, and the command exits
with code 1 when there are any.

Explanation rules are ``Rule`` objects: a name and a function ``cell -> sentence | None`` that
reads the facts the study recorded in ``cell.context``, so a sentence appears only where its
condition holds and always quotes the numbers it rests on.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "Cell",
    "Config",
    "Report",
    "Rule",
    "Section",
    "Study",
    "StudySkipped",
    "judge",
    "read_reference",
    "reference_dir",
    "rounding_of",
]

ROOT = Path(__file__).resolve().parents[2]


class StudySkipped(Exception):
    """The data a study needs is not here (e.g. a store not built yet): skipped, not failed."""


def reference_dir() -> Path:
    """Folder of the published numbers: ``$NASBENCH_REFERENCE``, default ``../shared/reference``
    next to the repository."""
    env = os.environ.get("NASBENCH_REFERENCE")
    return Path(env) if env else ROOT.parent / "shared" / "reference"


def read_reference(name: str):  # -> pandas.DataFrame
    """A published-numbers CSV from ``reference_dir()``, read as text-preserving DataFrame.

    Raises:
        StudySkipped: the file is not there (the message names the folder and the variable).
    """
    import pandas as pd

    path = reference_dir() / name
    if not path.is_file():
        raise StudySkipped(
            f"not available: published numbers {path} not found (set $NASBENCH_REFERENCE to the "
            "folder holding the reference CSVs)"
        )
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def rounding_of(text: str) -> float:
    """Half a unit of the last printed digit of a published number (``"0.73"`` -> 0.005)."""
    text = str(text).strip()
    if "." not in text:
        return 0.5
    return 0.5 * 10.0 ** -len(text.split(".", 1)[1])


def load_store(name: str):  # -> nasbench.Benchmark
    """Open a built store or skip the study with a one-line reason."""
    import nasbench

    if not nasbench.store_path(name).exists():
        raise StudySkipped(f"not available: store {name} not built (`nasbench build {name}`)")
    try:
        return nasbench.load(name, build_missing=False)
    except Exception as exc:  # an unreadable or outdated store: the study cannot run here
        raise StudySkipped(f"not available: store {name} cannot be read ({exc})") from None


@dataclass
class Cell:
    """One published number next to ours.

    Attributes:
        row, col: where the cell sits in its section's table (e.g. ``"NB201-CF10"``, ``"synflow"``).
        ours: our value (a mean over runs, a statistic of the full table, ...).
        low, high: the 95% interval of ours (NaN = exact: no sampling involved).
        published: the published number (None: no published value, a computed fact).
        rounding: half a unit of the published number's last digit.
        slack: the published number's own uncertainty, added to the interval when judging
            (e.g. the 95% half-width of a mean over 100 trials); 0 when unknown.
        tol: declared tolerance of an expected cell (|ours - published| <= tol passes).
        expected: True if the study expects this cell to agree within ``tol``.
        compare: True if the cell compares a model of ours with a published one (beats / below /
            level instead of match / differs).
        n: how many runs or draws ``ours`` comes from (None: one exact number).
        context: facts explanation rules read (candidate counts, reruns on other subsets, ...).
        notes: sentences attached by rules (filled by ``judge``).
        verdict: filled by ``judge``.
    """

    row: str
    col: str
    ours: float
    low: float = math.nan
    high: float = math.nan
    published: float | None = None
    rounding: float = 0.0
    slack: float = 0.0
    tol: float = math.nan
    expected: bool = False
    compare: bool = False
    n: int | None = None
    digits: int = 3
    context: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    verdict: str = ""

    @property
    def diff(self) -> float:
        return math.nan if self.published is None else self.ours - self.published

    @property
    def interval(self) -> tuple[float, float]:
        if math.isnan(self.low) or math.isnan(self.high):
            return self.ours, self.ours
        return self.low, self.high

    @property
    def failed(self) -> bool:
        """An expected cell whose difference exceeds its declared tolerance (or is missing)."""
        if not self.expected or self.published is None:
            return False
        return not (abs(self.diff) <= self.tol + 1e-12)


@dataclass(frozen=True)
class Rule:
    """An explanation: ``check(cell)`` returns a sentence when its condition holds, else None.

    ``verifies`` says whether a true condition accounts for the difference (verdict
    ``explained``) or only describes a known protocol difference (a note; verdict unchanged).
    """

    name: str
    check: Callable[[Cell], str | None]
    verifies: bool = False


def judge(cell: Cell, rules: Sequence[Rule] = ()) -> Cell:
    """Set ``cell.verdict`` and ``cell.notes`` from the numbers (module docstring)."""
    cell.notes = [s for s in (r.check(cell) for r in rules if not r.verifies) if s]
    if cell.published is None:
        cell.verdict = "ours"
        return cell
    low, high = cell.interval
    widen = cell.rounding + cell.slack
    if cell.compare:
        if low - widen > cell.published:
            cell.verdict = "beats"
        elif high + widen < cell.published:
            cell.verdict = "below"
        else:
            cell.verdict = "level"
        return cell
    if low - widen <= cell.published <= high + widen:
        cell.verdict = "match"
        return cell
    # explanations are looked for only where there is a gap to explain
    found = [s for s in (r.check(cell) for r in rules if r.verifies) if s]
    cell.notes = found + cell.notes
    cell.verdict = "explained" if found else "differs"
    return cell


@dataclass
class Section:
    """A table of cells (``cells``) and/or a free table computed from the data (``table``),
    with sentences generated from the numbers (``findings``)."""

    title: str
    cells: list[Cell] = field(default_factory=list)
    table: list[list[str]] | None = None  # first row = header
    findings: list[str] = field(default_factory=list)
    about: str = ""


@dataclass
class Config:
    """What the command line passes to every study."""

    seeds: int | None = None  # None = the study's own default (its paper's protocol)
    n_jobs: int = 2
    progress: bool = False
    fast: bool = False  # a small, quick variant for the test suite


@dataclass
class Report:
    """What a study returns: sections, and the protocol text with its numbers filled in."""

    name: str
    title: str
    cite: str
    protocol: str
    sections: list[Section] = field(default_factory=list)
    skipped: str | None = None
    seconds: float = 0.0
    command: str = ""

    @property
    def cells(self) -> list[Cell]:
        return [c for s in self.sections for c in s.cells]

    @property
    def failures(self) -> list[Cell]:
        return [c for c in self.cells if c.failed]

    def summary(self) -> str:
        """One line: verdict counts and failures."""
        if self.skipped:
            return f"{self.name}: skipped ({self.skipped})"
        counts: dict[str, int] = {}
        for c in self.cells:
            counts[c.verdict] = counts.get(c.verdict, 0) + 1
        parts = [f"{n} {v}" for v, n in sorted(counts.items())]
        expected = [c for c in self.cells if c.expected]
        tables = sum(1 for s in self.sections if s.table)
        line = f"{self.name}: {len(self.cells)} cells ({', '.join(parts) or 'none'})"
        if tables:
            line += f", {tables} computed table{'s' if tables > 1 else ''}"
        if expected:
            line += f"; {len(expected) - len(self.failures)}/{len(expected)} expected cells within tolerance"
        return line + f"; {self.seconds:.0f} s"

    def markdown(self) -> str:
        """The report as markdown (what ``--out`` writes and the terminal shows)."""
        lines = [f"# {self.title}", "", self.cite, ""]
        if self.command:
            lines += ["```", self.command, "```", ""]
        if self.skipped:
            lines += [f"**Skipped**: {self.skipped}", ""]
            return "\n".join(lines)
        lines += [self.protocol, ""]
        for section in self.sections:
            lines += _section_markdown(section)
        failures = self.failures
        if failures:
            lines += ["## Expected cells outside their tolerance", ""]
            lines += [
                f"- {c.row} / {c.col}: ours {_num(c.ours, c.digits)}, published "
                f"{_num(c.published, c.digits)}, difference {_signed(c.diff, c.digits)} exceeds "
                f"±{_num(c.tol, c.digits + 1)}"
                for c in failures
            ]
            lines.append("")
        if self.cells:
            lines += [_verdict_legend(self.cells), ""]
        lines += [f"{self.summary()}.", ""]
        return "\n".join(lines)


def _num(x: float | None, digits: int) -> str:
    if x is None or not np.isfinite(x):
        return "-"
    return f"{x:,.{digits}f}" if abs(x) >= 1000 else f"{x:.{digits}f}"


def _signed(x: float, digits: int) -> str:
    if not np.isfinite(x):
        return "-"
    text = f"{x:+.{digits}f}"
    return "+" + text[1:] if text.startswith("-") and float(text) == 0 else text


def _section_markdown(section: Section) -> list[str]:
    lines = [f"## {section.title}", ""]
    if section.about:
        lines += [section.about, ""]
    if section.cells:
        cols = ["cell", "published", "ours", "difference", "95% interval of ours", "verdict"]
        has_expected = any(c.expected for c in section.cells)
        if has_expected:
            cols.append("expected")
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|---|" + "---:|" * 4 + "---|" + ("---|" if has_expected else ""))
        notes: dict[str, int] = {}
        for c in section.cells:
            low, high = c.low, c.high
            interval = (
                "exact" if not (np.isfinite(low) and np.isfinite(high))
                else f"[{_num(low, c.digits)}, {_num(high, c.digits)}]"
            )
            marks = []
            for note in c.notes:
                marks.append(str(notes.setdefault(note, len(notes) + 1)))
            verdict = c.verdict + (f" ({', '.join(marks)})" if marks else "")
            label = f"{c.row} / {c.col}" if c.col else c.row
            row = [label, _num(c.published, c.digits), _num(c.ours, c.digits),
                   _signed(c.diff, c.digits), interval, verdict]
            if has_expected:
                row.append(
                    "" if not c.expected
                    else f"±{_num(c.tol, c.digits + (c.tol != round(c.tol, c.digits)))} "
                    f"{'FAIL' if c.failed else 'ok'}"
                )
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
        for note, i in notes.items():
            lines.append(f"{i}. {note}")
        if notes:
            lines.append("")
    if section.table:
        header, *body = section.table
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(r) + " |" for r in body]
        lines.append("")
    lines += [f"- {s}" for s in section.findings]
    if section.findings:
        lines.append("")
    return lines


def _verdict_legend(cells: Sequence[Cell]) -> str:
    used = {c.verdict for c in cells}
    words = {
        "match": "the published number lies inside our 95% interval (widened by its rounding"
        " and, where known, its own sampling uncertainty)",
        "differs": "it lies outside",
        "explained": "it lies outside, and a rule checked on the data accounts for the gap",
        "beats": "our model's interval lies entirely above the published number",
        "below": "our model's interval lies entirely below the published number",
        "level": "our model's interval contains the published number",
        "ours": "no published number: a fact computed from the tables",
    }
    return "Verdicts: " + "; ".join(f"**{v}**: {words[v]}" for v in words if v in used) + "."


@dataclass(frozen=True)
class Study:
    """A registered reproduction: its name, paper and ``run(config) -> Report``."""

    name: str
    title: str
    cite: str
    run: Callable[[Config], Report]
    default_seeds: int | None = None
    needs: tuple[str, ...] = ()  # stores it reads (skipped with a reason when one is missing)

    def report(self, protocol: str, sections: list[Section]) -> Report:
        return Report(self.name, self.title, self.cite, protocol, sections)

    def execute(self, config: Config) -> Report:
        """``run(config)``, timed (``Report.seconds``); missing data gives the skipped report."""
        start = time.perf_counter()
        try:
            report = self.run(config)
        except StudySkipped as exc:
            report = self.skipped(str(exc))
        report.seconds = time.perf_counter() - start
        return report

    def skipped(self, reason: str) -> Report:
        return Report(self.name, self.title, self.cite, "", skipped=reason)
