"""Exceptions raised by nasbench.

Every error message is one line that names what was wrong and what would be right, so the CLI can
print it as is (``nasbench: <message>``) and exit with code 2.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

#: how many characters of a user's input a message quotes before cutting it
QUOTE_LIMIT = 80


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)``, cut to about ``limit`` characters so a 1 MB input never floods a message.

    >>> quote("x" * 1000)[:12], len(quote("x" * 1000)) <= 100
    ("'xxxxxxxxxxx", True)
    """
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not hide the real error
        text = f"<{type(value).__name__}>"
    if len(text) > limit:
        text = f"{text[: limit - 20]}...{text[-8:]} ({len(text):,} chars)"
    return text


def is_int(value: object) -> bool:
    """An int (numpy integers too), never a bool, a float such as 2.0 or a string."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(name: str, value: object, low: int = 0) -> int:
    """``value`` as an int, or ``InvalidArgumentError`` naming ``name``: not an int (``is_int``)
    or below ``low``."""
    if not is_int(value):
        raise InvalidArgumentError(f"{name} must be an int >= {low}, got {quote(value)}")
    if value < low:
        raise InvalidArgumentError(f"{name} must be an int >= {low}, got {value}")
    return int(value)


def shorten(message: str, text: object = None, limit: int = 400) -> str:
    """``message`` with a long quoted ``text`` replaced by its ``quote`` and cut to ``limit``.

    Parsers quote the input they reject; for a megabyte of input that would be a megabyte of
    message, so every message that leaves a parser goes through here.
    """
    if len(message) <= limit:
        return message
    if isinstance(text, str) and len(text) > QUOTE_LIMIT:
        for form in (repr(text), text):
            message = message.replace(form, quote(text))
    if len(message) > limit:
        message = f"{message[: limit - 30]}... ({len(message):,} chars)"
    return message


def with_article(noun: str) -> str:
    """``noun`` after "a" or "an", read the way the word is spoken ("an NB201", "a DARTS").

    Abbreviations spoken letter by letter take "an" when their first letter's name starts with a
    vowel sound (F, H, L, M, N, R, S, X); other words follow their first letter.
    """
    first = noun[:1]
    spelled = noun.split(" ")[0].isupper() or any(c.isdigit() for c in noun.split(" ")[0])
    vowel = first.upper() in "AEFHILMNORSX" if spelled else first.lower() in "aeio"
    return f"{'an' if vowel else 'a'} {noun}"


class NasbenchError(Exception):
    """Base class of every error raised on purpose by nasbench."""


class InvalidArgumentError(NasbenchError, TypeError, ValueError):
    """An argument of the wrong type or out of its range (``seed=True``, ``k=-1``, bytes as an
    arch); the message names the argument, what it got and what would be right."""


class UnknownArchitectureError(NasbenchError, KeyError):
    """An architecture is not in the benchmark's table (or not in its space at all)."""

    def __init__(self, arch: object, space: str, hint: str = "") -> None:
        self.arch = arch
        self.space = space
        msg = f"architecture {quote(arch)} is not in the {space} table"
        super().__init__(msg + (f"; {hint}" if hint else ""))

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0])


class UnknownNameError(NasbenchError, KeyError):
    """An unknown benchmark, dataset or metric name; the message lists the names that exist."""

    def __init__(self, kind: str, name: object, known: list[str] | tuple[str, ...]) -> None:
        self.kind = kind
        self.name = name
        import difflib

        self.known = list(known)
        # close matches first, so a typo's fix is visible even in a long list
        close = difflib.get_close_matches(str(name), [str(k) for k in self.known], n=5, cutoff=0.5)
        ordered = close + [k for k in self.known if str(k) not in close]
        shown = ", ".join(str(k) for k in ordered[:40]) + (" ..." if len(ordered) > 40 else "")
        hint = f"did you mean {close[0]!r}? " if close else ""
        super().__init__(f"unknown {kind} {quote(name)}; {hint}known: {shown}")

    def __str__(self) -> str:
        return str(self.args[0])


class MissingBudgetError(NasbenchError, KeyError):
    """A metric has no value at the budget asked for (or at the full budget, by default); the
    message names the budgets that exist and the argument that selects one."""

    def __init__(self, dataset: str, metric: str, budget: int | None,
                 budgets: Sequence[int | None], *, default: bool = False) -> None:
        self.dataset, self.metric, self.budget = dataset, metric, budget
        self.budgets = list(budgets)
        shown = ", ".join("none stated" if b is None else str(b) for b in self.budgets)
        use = next((b for b in reversed(self.budgets) if b is not None), None)
        hint = f" (use budget={use})" if use is not None else ""
        if default:  # the full budget the default stands for is missing for this metric
            what = f"has no {budget}-epoch values (the full budget, the default)"
            text = f"{dataset}/{metric} {what}; budgets: {shown}{hint}"
        else:
            text = f"unknown budget of {dataset}/{metric}: no {budget}-epoch values; budgets: {shown}{hint}"
        super().__init__(text)

    def __str__(self) -> str:
        return str(self.args[0])


class StoreError(NasbenchError):
    """A store file is missing, truncated, of another format version, or otherwise unreadable."""


class ChecksumError(NasbenchError):
    """A raw source file's sha256 differs from the digest its recipe is pinned to."""


class SourceMissingError(NasbenchError, FileNotFoundError):
    """A raw source file a recipe needs is not where the data root says it should be."""


class StaleStoreWarning(UserWarning):
    """A store was built by other code than the installed package's (a recipe, reader or space
    changed since): its numbers may differ from what ``nasbench build`` would write today."""
