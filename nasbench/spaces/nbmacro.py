"""The NAS-Bench-Macro search space (Su et al., "Prioritized Architecture Sampling with Monte-Carlo
Tree Search", CVPR 2021).

A CIFAR-10 network of fixed macro skeleton with 8 searchable layers in sequence; each layer is one of
3 choices, written as one digit::

    0  Identity   (the layer is skipped)
    1  MB3_K3     (MobileNetV2 inverted-residual block, expansion 3, kernel 3)
    2  MB6_K5     (expansion 6, kernel 5)

Architecture string: the 8 digits, first layer first, e.g. ``"22212220"`` (the best arch: mean test
accuracy 93.13 %). The space has 3**8 = 6,561 architectures, all trained (3 runs each).

Isomorphism: within layers 4-5 and within layers 7-8 only the sequence of non-Identity blocks
matters, not where the Identity sits: ``"00010000"`` and ``"00001000"`` are the same network, and the
published table gives such strings identical values (all three runs, params and FLOPs). ``canonical``
moves the Identity of those two pairs to the front (the member with the smallest index), which gives
3,969 classes (``N_CLASSES``), exactly the partition of the table by its per-run accuracies. Every
other position is distinct (e.g. ``"10000000"`` and ``"01000000"`` differ).

The index of an arch is its string read as a base-3 number (``"00000000"`` = 0, ``"22222222"`` =
6,560); the benchmark publishes no other order.

Usage::

    >>> from nasbench.spaces.nbmacro import SPACE as macro
    >>> macro.index("00000012"), len(macro.neighbours("22212220"))
    (5, 16)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from nasbench.spaces.base import SearchSpace, as_list

#: the 3 layer choices, by digit
OPS: tuple[str, ...] = ("Identity", "MB3_K3", "MB6_K5")
N_LAYERS = 8
#: 0-based layer pairs whose Identity position does not change the network (layers 4-5, 7-8)
FREE_PAIRS: tuple[tuple[int, int], ...] = ((3, 4), (6, 7))
#: number of isomorphism classes
N_CLASSES = 3_969
_DIGITS = "012"


def check_arch(text: Any) -> str:
    """Return ``text`` if it is a valid arch string; else raise ``ValueError`` naming the fault."""
    if not isinstance(text, str):
        raise ValueError(
            f"a NAS-Bench-Macro arch is a string of 8 digits 0-2 like '22212220', got {type(text).__name__}"
        )
    if len(text) != N_LAYERS:
        raise ValueError(
            f"NAS-Bench-Macro arch {text!r} has {len(text)} characters; expected {N_LAYERS} "
            "(one digit 0-2 per layer)"
        )
    for pos, ch in enumerate(text, start=1):
        if ch not in _DIGITS:
            raise ValueError(
                f"NAS-Bench-Macro arch {text!r}: layer {pos} is {ch!r}; use 0 (Identity), "
                "1 (MB3_K3) or 2 (MB6_K5)"
            )
    return text


class NBMacroSpace(SearchSpace):
    """The NAS-Bench-Macro space (see the module docstring). Architectures are their strings."""

    name = "nbmacro"
    size = len(OPS) ** N_LAYERS
    encodings = ("onehot", "ordinal")

    def parse(self, text: str) -> str:
        return check_arch(text)

    def format(self, arch: Any) -> str:
        if isinstance(arch, (list, tuple, np.ndarray)):
            arch = "".join(str(int(d)) for d in arch)
        return check_arch(arch)

    def ops(self, arch: Any) -> tuple[str, ...]:
        """The 8 layer choices by name."""
        return tuple(OPS[int(d)] for d in self.format(arch))

    # -- index ------------------------------------------------------------------------------------
    def index(self, arch: Any) -> int:
        """The arch's string read as a base-3 number (0 .. 6,560)."""
        return int(self.format(arch), 3)

    def arch_at(self, index: int) -> str:
        """The arch string at ``index`` (0 .. 6,560)."""
        if isinstance(index, bool) or not 0 <= int(index) < self.size:
            raise IndexError(
                f"NAS-Bench-Macro index {index!r} out of range; use 0 .. {self.size - 1}"
            )
        return np.base_repr(int(index), 3).zfill(N_LAYERS)

    def enumerate(self) -> Iterator[str]:
        """All 6,561 archs in index order."""
        return (self.arch_at(i) for i in range(self.size))

    # -- identity ---------------------------------------------------------------------------------
    def canonical(self, arch: Any) -> str:
        """The class member with the smallest index: in layers 4-5 and 7-8, Identity goes first."""
        s = list(self.format(arch))
        for a, b in FREE_PAIRS:
            if s[b] == "0":
                s[a], s[b] = "0", s[a]
        return "".join(s)

    # -- sampling and neighbours ------------------------------------------------------------------
    def sample(self, n: int, seed: int | None = None) -> list[str]:
        ids = np.random.default_rng(seed).integers(0, len(OPS), size=(int(n), N_LAYERS))
        return ["".join(_DIGITS[i] for i in row) for row in ids]

    def neighbours(self, arch: Any) -> list[str]:
        """The 16 archs that differ in exactly one layer."""
        s = self.format(arch)
        return [s[:i] + d + s[i + 1 :] for i in range(N_LAYERS) for d in _DIGITS if d != s[i]]

    # -- encodings --------------------------------------------------------------------------------
    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Encode one arch or many.

        Encodings:
            ``onehot`` (24): one-hot layer choice per layer.
            ``ordinal`` (8): the digits, for tree models.
        """
        enc = self.check_encoding(encoding)
        items, single = as_list(archs)
        if not items:
            return np.zeros((0, 0), dtype=np.float32)
        digits = np.array([[int(c) for c in self.format(a)] for a in items], dtype=np.int64)
        if enc == "ordinal":
            out = digits.astype(np.float32)
        else:
            out = np.zeros((len(items), N_LAYERS, len(OPS)), dtype=np.float32)
            rows = np.arange(len(items))[:, None]
            out[rows, np.arange(N_LAYERS)[None, :], digits] = 1.0
            out = out.reshape(len(items), -1)
        return out[0] if single else out

    def to_graph(self, arch: Any) -> tuple[np.ndarray, np.ndarray]:
        """A chain: input -> layer 1 -> ... -> layer 8 -> output (10 vertices).

        Node features are one-hot over ``("input", "output", *OPS)``; Identity layers are kept as
        vertices so every arch has the same 10 vertices.
        """
        s = self.format(arch)
        kinds = ("input", "output", *OPS)
        feats = np.zeros((N_LAYERS + 2, len(kinds)), dtype=np.float32)
        feats[0, 0] = feats[N_LAYERS + 1, 1] = 1.0
        for pos, d in enumerate(s, start=1):
            feats[pos, 2 + int(d)] = 1.0
        edges = np.array([np.arange(N_LAYERS + 1), np.arange(1, N_LAYERS + 2)], dtype=np.int64)
        return feats, edges


SPACE = NBMacroSpace()
