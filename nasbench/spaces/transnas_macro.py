"""The TransNAS-Bench-101 macro (skeleton-level) search space.

A network is a chain of 4 to 6 modules of ResNet basic blocks on 64 base channels; what varies is
the *skeleton*, one digit per module:

    ``1`` normal (keep resolution and channels)     ``2`` double the channels
    ``3`` halve the resolution                      ``4`` halve the resolution and double channels

The benchmark's string is ``64-<skeleton>-basic``, e.g. ``64-41414-basic`` or ``64-1234-basic``.
A skeleton is valid when it halves the resolution 1 to 4 times (digits 3 and 4) and doubles the
channels 1 to 3 times (digits 2 and 4); that gives 210 + 750 + 2,296 = 3,256 networks of length
4, 5 and 6, the official count. ``enumerate`` lists them in sorted string order (the official
``.pth`` order is not available; ``index`` is the position in this enumeration).

Every skeleton is a different network, so ``canonical`` is the string itself. A mutation
(``neighbours``) changes one digit, inserts one or deletes one, keeping the skeleton valid.

NASLib's op-index tuple is the skeleton's digits, right-padded with 0 to length 6 (some NASLib
files leave it unpadded); ``from_naslib`` accepts both.

Usage::

    >>> from nasbench.spaces.transnas_macro import SPACE as macro
    >>> macro.parse("64-41414-basic").skeleton, macro.size
    ('41414', 3256)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from nasbench.spaces import _transnas
from nasbench.spaces.base import SearchSpace, as_list

#: module kinds by digit (index 0 is the padding of shorter skeletons)
BLOCKS: tuple[str, ...] = ("pad", "normal", "channel_x2", "resolution_half", "both")
MIN_LEN, MAX_LEN = 4, 6
DOWNSAMPLE_RANGE = (1, 4)  # count of digits 3 and 4
WIDEN_RANGE = (1, 3)  # count of digits 2 and 4


@dataclass(frozen=True)
class Skeleton:
    """A macro skeleton: 4 to 6 digits in 1..4 (see the module docstring)."""

    skeleton: str

    def __post_init__(self) -> None:
        _check_skeleton(self.skeleton, self.skeleton)

    def __str__(self) -> str:
        return format_skeleton(self)

    @property
    def digits(self) -> tuple[int, ...]:
        return tuple(int(c) for c in self.skeleton)


def _check_skeleton(sk: str, text: str) -> None:
    if not MIN_LEN <= len(sk) <= MAX_LEN:
        raise ValueError(
            f"TransNAS macro {text!r}: skeleton {sk!r} has {len(sk)} modules; expected 4 to 6"
        )
    for pos, ch in enumerate(sk):
        if ch not in "1234":
            raise ValueError(
                f"TransNAS macro {text!r}: skeleton digit {ch!r} at module {pos} is not 1 (normal),"
                " 2 (channel x2), 3 (resolution /2) or 4 (both)"
            )
    down = sum(c in "34" for c in sk)
    wide = sum(c in "24" for c in sk)
    if not DOWNSAMPLE_RANGE[0] <= down <= DOWNSAMPLE_RANGE[1]:
        raise ValueError(
            f"TransNAS macro {text!r}: skeleton {sk!r} halves the resolution {down} times "
            "(digits 3, 4); the space allows 1 to 4"
        )
    if not WIDEN_RANGE[0] <= wide <= WIDEN_RANGE[1]:
        raise ValueError(
            f"TransNAS macro {text!r}: skeleton {sk!r} doubles the channels {wide} times "
            "(digits 2, 4); the space allows 1 to 3"
        )


def format_skeleton(s: Skeleton) -> str:
    return f"64-{s.skeleton}-basic"


def parse_skeleton(text: str) -> Skeleton:
    """Parse ``64-<skeleton>-basic``; a malformed string raises ``ValueError`` naming the part."""
    sk, block = _transnas.split(text, "macro", "channels, skeleton, 'basic'", "64-41414-basic")
    if block != "basic":
        hint = " (a micro cell: use the transnas_micro space)" if "_" in block else ""
        raise ValueError(
            f"TransNAS macro string {text!r}: block {block!r}; macro networks end in 'basic'{hint}"
        )
    _check_skeleton(sk, text)
    return Skeleton(sk)


def _valid(sk: str) -> bool:
    return (
        MIN_LEN <= len(sk) <= MAX_LEN
        and DOWNSAMPLE_RANGE[0] <= sum(c in "34" for c in sk) <= DOWNSAMPLE_RANGE[1]
        and WIDEN_RANGE[0] <= sum(c in "24" for c in sk) <= WIDEN_RANGE[1]
    )


class TransNASMacroSpace(SearchSpace):
    """The TransNAS-Bench-101 macro skeleton space (see the module docstring)."""

    name = "transnas_macro"
    size = 3256
    encodings = ("onehot", "ordinal", "counts")

    def parse(self, text: str) -> Skeleton:
        return parse_skeleton(text)

    def format(self, arch: Any) -> str:
        if isinstance(arch, Skeleton):
            return format_skeleton(arch)
        if isinstance(arch, str):
            return format_skeleton(parse_skeleton(arch))
        raise TypeError(f"expected a TransNAS macro string or Skeleton, got {type(arch).__name__}")

    def skeleton(self, arch: Any) -> Skeleton:
        """A ``Skeleton`` from a string, a ``Skeleton`` or an enumeration index."""
        if isinstance(arch, Skeleton):
            return arch
        if isinstance(arch, (int, np.integer)):
            return parse_skeleton(self.arch_at(int(arch)))
        return parse_skeleton(arch)

    def from_naslib(self, ids: Sequence[int] | str) -> str:
        """String from a NASLib tuple (digits, optionally right-padded with 0 to length 6)."""
        if isinstance(ids, str):
            ids = [int(t) for t in ids.strip("()[] ").split(",") if t.strip()]
        digits = [int(i) for i in ids]
        while digits and digits[-1] == 0:
            digits.pop()
        if 0 in digits:
            raise ValueError(f"NASLib TransNAS macro tuple {ids!r}: 0 may only pad the end")
        return format_skeleton(Skeleton("".join(map(str, digits))))

    def to_naslib(self, arch: Any) -> tuple[int, ...]:
        """The NASLib tuple (padded to length 6) of an arch."""
        d = self.skeleton(arch).digits
        return d + (0,) * (MAX_LEN - len(d))

    # -- enumeration -----------------------------------------------------------------------------
    @cached_property
    def _all(self) -> tuple[str, ...]:
        sks = (
            "".join(t)
            for n in range(MIN_LEN, MAX_LEN + 1)
            for t in itertools.product("1234", repeat=n)
        )
        out = tuple(sorted(f"64-{sk}-basic" for sk in sks if _valid(sk)))
        if len(out) != self.size:
            raise AssertionError(f"enumerated {len(out)} macro skeletons; expected {self.size}")
        return out

    @cached_property
    def _index_of(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self._all)}

    def enumerate(self) -> Iterator[str]:
        return iter(self._all)

    def index(self, arch: Any) -> int:
        """Position in ``enumerate`` (sorted strings; not an official index)."""
        return self._index_of[self.to_string(arch)]

    def arch_at(self, index: int) -> str:
        if not 0 <= int(index) < self.size:
            raise IndexError(f"TransNAS macro index {index} out of range; use 0 .. {self.size - 1}")
        return self._all[int(index)]

    # -- identity, sampling, neighbours ----------------------------------------------------------
    def canonical(self, arch: Any) -> str:
        """The string itself: no two skeletons build the same network."""
        return self.to_string(arch)

    def sample(self, n: int, seed: int | None = None) -> list[str]:
        """Uniform over the 3,256 skeletons."""
        rng = np.random.default_rng(seed)
        return [self._all[i] for i in rng.integers(0, self.size, size=int(n))]

    def neighbours(self, arch: Any) -> list[str]:
        """Valid skeletons one edit away: a digit changed, inserted or deleted (no duplicates)."""
        sk = self.skeleton(arch).skeleton
        cands: list[str] = []
        for pos in range(len(sk)):
            cands += [sk[:pos] + d + sk[pos + 1 :] for d in "1234" if d != sk[pos]]
            cands.append(sk[:pos] + sk[pos + 1 :])
        for pos in range(len(sk) + 1):
            cands += [sk[:pos] + d + sk[pos:] for d in "1234"]
        seen: dict[str, None] = {}
        for c in cands:
            if c != sk and _valid(c):
                seen.setdefault(f"64-{c}-basic")
        return list(seen)

    # -- encodings -------------------------------------------------------------------------------
    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Encode one arch or many.

        Encodings:
            ``onehot`` (30): per module position 0..5 a one-hot over ``BLOCKS`` (``pad`` past
                the end of a shorter skeleton).
            ``ordinal`` (6): the NASLib tuple (digits, 0-padded).
            ``counts`` (3): number of modules, of resolution halvings and of channel doublings.
        """
        enc = self.check_encoding(encoding)
        items, single = as_list(archs)
        rows = []
        for a in items:
            d = np.array(self.to_naslib(a))
            if enc == "onehot":
                x = np.zeros((MAX_LEN, len(BLOCKS)), dtype=np.float32)
                x[np.arange(MAX_LEN), d] = 1.0
                rows.append(x.ravel())
            elif enc == "ordinal":
                rows.append(d.astype(np.float32))
            else:
                rows.append(
                    np.array(
                        [(d > 0).sum(), np.isin(d, (3, 4)).sum(), np.isin(d, (2, 4)).sum()],
                        dtype=np.float32,
                    )
                )
        out = np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        return out[0] if single else out

    def to_graph(self, arch: Any) -> tuple[np.ndarray, np.ndarray]:
        """A chain: input, one vertex per module, output. Features one-hot over
        ``("input", "output", *BLOCKS[1:])``."""
        d = self.skeleton(arch).digits
        kinds = ("input", "output", *BLOCKS[1:])
        n = len(d) + 2
        feats = np.zeros((n, len(kinds)), dtype=np.float32)
        feats[0, 0] = feats[n - 1, 1] = 1.0
        for v, digit in enumerate(d, start=1):
            feats[v, 1 + digit] = 1.0
        edges = np.array([np.arange(n - 1), np.arange(1, n)], dtype=np.int64)
        return feats, edges


SPACE = TransNASMacroSpace()
