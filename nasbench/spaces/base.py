"""The contract every search space implements.

A space knows everything about an architecture that needs no measured data: how to read and write
the benchmark's own string, which strings are valid, the official index order (where there is one),
an isomorphism-invariant canonical form, sampling, neighbours, and numeric encodings.

Architectures travel through nasbench as their *string* (the benchmark's own format, normalised by
``space.format(space.parse(s))``). Space-specific objects (e.g. ``nb201.Cell``) are accepted
wherever a string is, through ``space.to_string``.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from nasbench.errors import quote, shorten, with_article

#: longest text any space's ``parse`` reads; no benchmark's arch string comes near it
MAX_TEXT = 100_000


def _guarded(parse: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``parse`` with the rules every space shares: text too long for any arch is refused before
    the parser sees it, and a rejection's message quotes the input at most ~80 characters."""

    @functools.wraps(parse)
    def guarded(self: SearchSpace, text: Any) -> Any:
        if isinstance(text, str) and len(text) > MAX_TEXT:
            raise ValueError(
                f"{quote(text)} is not {with_article(self.name)} architecture: it is longer than "
                f"any ({len(text):,} characters)"
            )
        try:
            return parse(self, text)
        except ValueError as exc:
            message = str(exc)
            short = shorten(message, text)
            if short is message:
                raise
            raise ValueError(short) from None

    guarded.__wrapped_parse__ = True  # type: ignore[attr-defined]
    return guarded


class SearchSpace(abc.ABC):
    """Abstract search space. Subclasses set ``name`` and implement the abstract methods."""

    #: short identifier used in stores and the CLI, e.g. ``"nb201"``
    name: str = ""
    #: names of the encodings ``encode`` understands; the first is the default
    encodings: tuple[str, ...] = ("onehot",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        parse = cls.__dict__.get("parse")
        if parse is not None and not getattr(parse, "__wrapped_parse__", False):
            setattr(cls, "parse", _guarded(parse))  # noqa: B010 - mypy forbids assigning a method

    # -- strings -------------------------------------------------------------------------------
    @abc.abstractmethod
    def parse(self, text: str) -> Any:
        """Parse the benchmark's string into the space's architecture object.

        Raises:
            ValueError: the string is malformed; the message says which part is wrong.
        """

    @abc.abstractmethod
    def format(self, arch: Any) -> str:
        """Format an architecture object as the benchmark's string."""

    def to_string(self, arch: Any) -> str:
        """Normalise a string or architecture object to the benchmark's string (validating it)."""
        if isinstance(arch, str):
            return self.format(self.parse(arch))
        return self.format(arch)

    def is_valid(self, arch: Any) -> bool:
        """True if ``arch`` parses and satisfies the space's validity rules."""
        try:
            self.to_string(arch)
        except (ValueError, TypeError):
            return False
        return True

    # -- identity ------------------------------------------------------------------------------
    @abc.abstractmethod
    def canonical(self, arch: Any) -> str:
        """The string of a fixed representative of ``arch``'s isomorphism class."""

    def canonical_hash(self, arch: Any) -> str:
        """A hex digest equal for isomorphic architectures and (almost surely) only for them."""
        import hashlib

        return hashlib.md5(self.canonical(arch).encode()).hexdigest()

    # -- the official index ----------------------------------------------------------------------
    #: True where the benchmark publishes an integer id per arch (NB201 / NATS index, SpikeNAS
    #: ``arch_id``, NAS-Bench-Graph key); ``index`` and ``arch_at`` then convert both ways, and a
    #: ``Benchmark`` of the space accepts those ints as archs
    has_official_index: bool = False

    def index(self, arch: Any) -> int:
        """The official index of ``arch`` (only where ``has_official_index``)."""
        raise NotImplementedError(f"the {self.name} space has no official index")

    def arch_at(self, index: int) -> str:
        """The architecture string with official index ``index`` (only where ``has_official_index``)."""
        raise NotImplementedError(f"the {self.name} space has no official index")

    # -- enumeration and sampling --------------------------------------------------------------
    #: number of architectures in the space, or None when it is too large to enumerate
    size: int | None = None

    def enumerate(self) -> Iterator[str]:
        """Every architecture string, in official index order where the benchmark has one."""
        raise NotImplementedError(f"the {self.name} space cannot be enumerated")

    @abc.abstractmethod
    def sample(self, n: int, seed: int | None = None) -> list[str]:
        """``n`` architectures drawn uniformly at random (with replacement) from the space."""

    def neighbours(self, arch: Any) -> list[str]:
        """All architectures one mutation away from ``arch`` (the space defines a mutation)."""
        raise NotImplementedError(f"the {self.name} space has no neighbourhood defined")

    # -- encodings -----------------------------------------------------------------------------
    @abc.abstractmethod
    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Numeric features, shape ``(n, d)`` for a sequence of archs or ``(d,)`` for one."""

    def to_graph(self, arch: Any) -> tuple[np.ndarray, np.ndarray]:
        """A graph form for GNNs: ``(node_features, edge_index)``.

        Shapes:
            node_features: ``(v, f)`` float32, one row per node.
            edge_index: ``(2, e)`` int64, sources in row 0 and targets in row 1 (PyG's layout).
        """
        raise NotImplementedError(f"the {self.name} space has no graph form")

    @property
    def has_graph(self) -> bool:
        """True if the space provides ``to_graph`` (a graph form for GNN encoders)."""
        return type(self).to_graph is not SearchSpace.to_graph

    def check_encoding(self, encoding: str | None) -> str:
        """The encoding ``encode`` will use for ``encoding`` (None = the space's default).

        Raises:
            ValueError: ``encoding`` is not one of ``encodings`` (the message lists them).
        """
        if encoding is None:
            return self.encodings[0]
        if not isinstance(encoding, str) or encoding not in self.encodings:
            raise ValueError(
                f"unknown encoding {encoding!r} for the {self.name} space; "
                f"use one of {', '.join(self.encodings)}"
            )
        return encoding

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


def as_list(archs: Iterable[Any] | Any) -> tuple[list[Any], bool]:
    """Return ``(list_of_archs, was_single)``; a lone string or object counts as one arch."""
    if isinstance(archs, (str, bytes)) or not isinstance(archs, Iterable):
        return [archs], True
    if isinstance(archs, np.ndarray) and archs.ndim == 0:
        return [archs.item()], True
    return list(archs), False
