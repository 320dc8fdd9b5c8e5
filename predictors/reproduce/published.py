"""Published numbers, read from the reference folder (``base.reference_dir()``) on every run.

Tables come from the CSVs (``base.read_reference``); facts that the reference README states in
prose are read from it with one pattern each, so the numbers live in one place (the shared
reference) and a missing or reworded line skips the study with a message naming the pattern,
instead of a number silently drifting from its source.

Every value is returned with its printed text (``Published.text``) so the verdict can allow for
the rounding of the published number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from predictors.reproduce.base import StudySkipped, reference_dir, rounding_of

__all__ = ["Published", "readme", "find", "find_all", "number"]


@dataclass(frozen=True)
class Published:
    """A published number: its value and the text it was printed as."""

    value: float
    text: str

    @property
    def rounding(self) -> float:
        return rounding_of(self.text)


def number(text: str) -> Published:
    """``"15,625"`` -> Published(15625.0, "15,625")."""
    return Published(float(text.replace(",", "")), text)


def readme() -> str:
    path = reference_dir() / "README.md"
    if not path.is_file():
        raise StudySkipped(
            f"not available: {path} not found (set $NASBENCH_REFERENCE to the reference folder)"
        )
    return path.read_text()


def find(pattern: str, text: str | None = None) -> re.Match[str]:
    """The first match of ``pattern`` in the reference README (or ``text``).

    Raises:
        StudySkipped: no line matches (the README changed: the pattern is named).
    """
    m = re.search(pattern, readme() if text is None else text)
    if m is None:
        raise StudySkipped(f"not available: reference README has no text matching {pattern!r}")
    return m


def find_all(pattern: str, text: str | None = None) -> list[re.Match[str]]:
    """Every match of ``pattern``; at least one (else ``StudySkipped``)."""
    found = list(re.finditer(pattern, readme() if text is None else text))
    if not found:
        raise StudySkipped(f"not available: reference README has no text matching {pattern!r}")
    return found


def section(heading: str) -> str:
    """The README text under the ``## heading...`` line, up to the next ``## ``."""
    text = readme()
    m = re.search(r"^## " + re.escape(heading) + r".*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    if m is None:
        raise StudySkipped(f"not available: reference README has no section {heading!r}")
    return m.group(1)
