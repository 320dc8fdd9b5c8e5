"""The MnasNet-style block space of Accel-NASBench (Ahmad et al.).

A network is a fixed stem, 7 stages ("blocks") of mobile inverted-bottleneck (MBConv) layers and a
fixed head. Each block chooses 4 things (Accel-NASBench ``configspace.json``):

=======  =====================================  ===========
field    meaning                                choices
=======  =====================================  ===========
``e``    MBConv expansion factor                1, 4, 6
``k``    depthwise kernel size                  3, 5
``l``    number of layers in the block          1, 2, 3 (block 5: 1, 2, 3, 4)
``se``   squeeze-and-excitation on or off       off, on
=======  =====================================  ===========

Strides (1, 2, 2, 2, 1, 2, 1) and channels (32 -> 16 -> 24 -> 40 -> 80 -> 112 -> 192 -> 320) are
fixed. The space has 36**6 * 48 (about 1.0e11) architectures; no two of them are the same network,
so ``canonical`` is the string itself.

Strings list the 7 blocks separated by ``-``, each as ``e<e>k<k>l<l>`` with a trailing ``se`` when
squeeze-and-excitation is on (EfficientNet-B0's blocks, for example)::

    e1k3l1se-e6k3l2se-e6k5l2se-e6k3l3se-e6k5l3se-e6k5l4se-e6k3l1se

``from_config`` / ``to_config`` convert from / to Accel-NASBench's ``architecture`` dict
(``block0_e``, ``block0_k``, ``block0_l``, ``block0_se``, ...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nasbench.spaces.base import SearchSpace, as_list

N_BLOCKS = 7
EXPANSIONS: tuple[int, ...] = (1, 4, 6)
KERNELS: tuple[int, ...] = (3, 5)
#: layer choices per block (block 5 allows 4)
LAYERS: tuple[tuple[int, ...], ...] = tuple((1, 2, 3, 4) if b == 5 else (1, 2, 3) for b in range(N_BLOCKS))
STRIDES: tuple[int, ...] = (1, 2, 2, 2, 1, 2, 1)
IN_CHANNELS: tuple[int, ...] = (32, 16, 24, 40, 80, 112, 192)
OUT_CHANNELS: tuple[int, ...] = (16, 24, 40, 80, 112, 192, 320)

_BLOCK = re.compile(r"e(\d+)k(\d+)l(\d+)(se)?")


@dataclass(frozen=True)
class Block:
    """One stage: expansion, kernel size, number of layers, squeeze-and-excitation."""

    e: int
    k: int
    l: int  # noqa: E741 - the benchmark's own name
    se: bool

    def __str__(self) -> str:
        return f"e{self.e}k{self.k}l{self.l}{'se' if self.se else ''}"


@dataclass(frozen=True)
class MnasNet:
    """An architecture: its 7 blocks."""

    blocks: tuple[Block, ...]

    def __post_init__(self) -> None:
        if len(self.blocks) != N_BLOCKS:
            raise ValueError(f"an Accel-NASBench network has {N_BLOCKS} blocks, got {len(self.blocks)}")
        for b, block in enumerate(self.blocks):
            _check_block(b, block.e, block.k, block.l)

    def __str__(self) -> str:
        return "-".join(str(b) for b in self.blocks)


def _check_block(b: int, e: int, k: int, layers: int) -> None:
    for field, value, choices in (("e", e, EXPANSIONS), ("k", k, KERNELS), ("l", layers, LAYERS[b])):
        if value not in choices:
            raise ValueError(
                f"block {b}: {field}={value} is not allowed; choose one of "
                f"{', '.join(map(str, choices))}"
            )


def parse_arch(text: str) -> MnasNet:
    """Parse ``e<e>k<k>l<l>[se]`` x 7 joined by ``-``; ``ValueError`` names the wrong part."""
    if not isinstance(text, str):
        raise ValueError(
            f"an Accel-NASBench architecture is a string like 'e1k3l1se-e6k3l2-...', "
            f"got {type(text).__name__}"
        )
    tokens = text.split("-")
    if len(tokens) != N_BLOCKS:
        raise ValueError(
            f"Accel-NASBench string {text!r} has {len(tokens)} blocks separated by '-'; "
            f"expected {N_BLOCKS}"
        )
    blocks = []
    for b, token in enumerate(tokens):
        match = _BLOCK.fullmatch(token)
        if match is None:
            raise ValueError(
                f"Accel-NASBench string {text!r}: block {b} {token!r} should look like "
                "'e<expansion>k<kernel>l<layers>' with an optional 'se' suffix, e.g. 'e6k3l2se'"
            )
        e, k, layers = int(match[1]), int(match[2]), int(match[3])
        _check_block(b, e, k, layers)
        blocks.append(Block(e, k, layers, match[4] is not None))
    return MnasNet(tuple(blocks))


class MnasNetSpace(SearchSpace):
    """Accel-NASBench's MnasNet block space (see the module docstring)."""

    name = "mnasnet"
    size = 36**6 * 48
    encodings = ("onehot", "ordinal")

    def parse(self, text: str) -> MnasNet:
        return parse_arch(text)

    def format(self, arch: Any) -> str:
        if isinstance(arch, MnasNet):
            return str(arch)
        if isinstance(arch, str):
            return str(parse_arch(arch))
        raise TypeError(f"expected an Accel-NASBench string or MnasNet, got {type(arch).__name__}")

    def net(self, arch: Any) -> MnasNet:
        return arch if isinstance(arch, MnasNet) else parse_arch(arch)

    def canonical(self, arch: Any) -> str:
        return self.to_string(arch)

    # -- Accel-NASBench's dict form --------------------------------------------------------------
    def from_config(self, config: Mapping[str, Any]) -> str:
        """String from an Accel-NASBench ``architecture`` dict (``block0_e`` ... ``block6_se``).

        Raises:
            ValueError: a key is missing or unknown, or a value is not allowed.
        """
        expected = {f"block{b}_{f}" for b in range(N_BLOCKS) for f in ("e", "k", "l", "se")}
        missing, unknown = expected - set(config), set(config) - expected
        if missing or unknown:
            raise ValueError(
                "Accel-NASBench architecture dict: "
                + "; ".join(
                    f"{what} key(s) {', '.join(sorted(keys))}"
                    for what, keys in (("missing", missing), ("unknown", unknown)) if keys
                )
            )
        blocks = []
        for b in range(N_BLOCKS):
            se = config[f"block{b}_se"]
            if not isinstance(se, (bool, np.bool_)):
                raise ValueError(f"block{b}_se must be true or false, got {se!r}")
            e, k, layers = (int(config[f"block{b}_{f}"]) for f in ("e", "k", "l"))
            _check_block(b, e, k, layers)
            blocks.append(Block(e, k, layers, bool(se)))
        return str(MnasNet(tuple(blocks)))

    def to_config(self, arch: Any) -> dict[str, Any]:
        """The Accel-NASBench ``architecture`` dict of an architecture."""
        out: dict[str, Any] = {}
        for b, block in enumerate(self.net(arch).blocks):
            out.update({f"block{b}_e": block.e, f"block{b}_k": block.k, f"block{b}_l": block.l,
                        f"block{b}_se": block.se})
        return out

    # -- sampling and neighbours -----------------------------------------------------------------
    def sample(self, n: int, seed: int | None = None) -> list[str]:
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(int(n)):
            blocks = tuple(
                Block(int(rng.choice(EXPANSIONS)), int(rng.choice(KERNELS)),
                      int(rng.choice(LAYERS[b])), bool(rng.integers(2)))
                for b in range(N_BLOCKS)
            )
            out.append(str(MnasNet(blocks)))
        return out

    def neighbours(self, arch: Any) -> list[str]:
        """Every architecture that differs in exactly one field of one block (43 of them)."""
        blocks = self.net(arch).blocks
        out = []
        for b, block in enumerate(blocks):
            variants = [Block(e, block.k, block.l, block.se) for e in EXPANSIONS if e != block.e]
            variants += [Block(block.e, k, block.l, block.se) for k in KERNELS if k != block.k]
            variants += [Block(block.e, block.k, x, block.se) for x in LAYERS[b] if x != block.l]
            variants.append(Block(block.e, block.k, block.l, not block.se))
            out += [str(MnasNet(blocks[:b] + (v,) + blocks[b + 1 :])) for v in variants]
        return out

    # -- encodings -------------------------------------------------------------------------------
    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Encode one arch or many.

        Encodings:
            ``onehot`` (71): per block, one-hot e (3), k (2), l (3; 4 for block 5) and se (2).
            ``ordinal`` (28): per block e, k, l, se (0/1) as numbers, for tree models.
        """
        enc = self.check_encoding(encoding)
        items, single = as_list(archs)
        fn = _onehot if enc == "onehot" else _ordinal
        out = np.stack([fn(self.net(a)) for a in items]) if items else np.zeros((0, 0), np.float32)
        return out[0] if single else out

    def to_graph(self, arch: Any) -> tuple[np.ndarray, np.ndarray]:
        """A chain: stem -> block 0 -> ... -> block 6 -> head (9 vertices).

        Node features: ``[stem, head, e=1, e=4, e=6, k=3, k=5, l=1, l=2, l=3, l=4, se, stride 2]``.
        """
        net = self.net(arch)
        feats = np.zeros((N_BLOCKS + 2, 13), dtype=np.float32)
        feats[0, 0] = feats[-1, 1] = 1.0
        for b, block in enumerate(net.blocks, start=1):
            feats[b, 2 + EXPANSIONS.index(block.e)] = 1.0
            feats[b, 5 + KERNELS.index(block.k)] = 1.0
            feats[b, 7 + block.l - 1] = 1.0
            feats[b, 11] = float(block.se)
            feats[b, 12] = float(STRIDES[b - 1] == 2)
        idx = np.arange(N_BLOCKS + 1, dtype=np.int64)
        return feats, np.stack([idx, idx + 1])


def _onehot(net: MnasNet) -> np.ndarray:
    parts = []
    for b, block in enumerate(net.blocks):
        for value, choices in ((block.e, EXPANSIONS), (block.k, KERNELS), (block.l, LAYERS[b]),
                               (block.se, (False, True))):
            x = np.zeros(len(choices), dtype=np.float32)
            x[choices.index(value)] = 1.0
            parts.append(x)
    return np.concatenate(parts)


def _ordinal(net: MnasNet) -> np.ndarray:
    return np.array([v for b in net.blocks for v in (b.e, b.k, b.l, float(b.se))], dtype=np.float32)


SPACE = MnasNetSpace()
