"""The NATS-Bench size search space (NATS-sss): channel widths of a fixed network.

Every architecture is the same network (the NATS topology cell
``|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|``
stacked as in NATS-tss) with the output channels of its 5 layers chosen from
8, 16, 24, ..., 64. The benchmark's string joins the 5 widths with ``:``::

    8:16:32:64:64

so the space has 8**5 = 32,768 architectures. The official index order (``meta_archs`` of
``NATS-sss-v1_0-50262-simple/meta``) is the product order with the last layer varying fastest,
widths compared as numbers (``8:8:8:8:8``, ``8:8:8:8:16``, ..., ``64:64:64:64:64``); this module
computes it without reading any data, and the tests check it against the official list.

Every architecture is its own canonical form: two different width vectors are different networks.
A mutation changes the width of one layer (35 neighbours).

The network (NATS-Bench's ``DynamicShapeTinyNet`` with one cell per stage): a 3x3 stem conv to
``w0`` channels + BN; the topology cell at ``w0``; a ResNet reduction block to ``w1``; the cell from
``w1`` to ``w2``; a reduction block to ``w3``; the cell from ``w3`` to ``w4``; BN + ReLU, global
pooling and a linear classifier. ``params`` and ``flops`` count it the way NATS-Bench does and equal
the official records (archs 0, 11 and 284, every dataset) exactly.

Usage::

    >>> from nasbench.spaces.nats_sss import SPACE as sss
    >>> sss.index("8:8:8:8:16"), sss.arch_at(284)
    (1, '8:8:40:32:40')
    >>> len(sss.neighbours("8:16:32:64:64"))
    35
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from nasbench.spaces.base import SearchSpace, as_list

#: the widths a layer may have, in official order
CHANNELS: tuple[int, ...] = (8, 16, 24, 32, 40, 48, 56, 64)
#: number of layers whose width is searched
N_LAYERS = 5
_POSITION = {c: i for i, c in enumerate(CHANNELS)}
#: the fixed cell: (source node, target node, op) of the 6 edges, with the ops NATS-sss uses
CELL_EDGES: tuple[tuple[int, int, str], ...] = (
    (0, 1, "nor_conv_3x3"),
    (0, 2, "nor_conv_3x3"),
    (1, 2, "nor_conv_3x3"),
    (0, 3, "skip_connect"),
    (1, 3, "nor_conv_3x3"),
    (2, 3, "nor_conv_3x3"),
)
#: the cell as an NB201 string
CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
_WEIGHTS = len(CHANNELS) ** np.arange(N_LAYERS - 1, -1, -1)  # last layer varies fastest


def parse_channels(text: str) -> tuple[int, ...]:
    """Parse ``"8:16:32:64:64"``; a malformed string raises ``ValueError`` naming the wrong part."""
    if not isinstance(text, str):
        raise ValueError(
            f"a NATS-sss architecture is a string like '8:16:32:64:64', got {type(text).__name__}"
        )
    parts = text.split(":")
    if len(parts) != N_LAYERS:
        raise ValueError(
            f"NATS-sss string {text!r} has {len(parts)} ':'-separated widths; expected {N_LAYERS}"
        )
    widths = []
    for layer, part in enumerate(parts):
        try:
            width = int(part.strip())
        except ValueError:
            raise ValueError(
                f"NATS-sss string {text!r}: layer {layer} width {part!r} is not an integer"
            ) from None
        if width not in _POSITION:
            raise ValueError(
                f"NATS-sss string {text!r}: layer {layer} width {width} is not one of "
                f"{', '.join(map(str, CHANNELS))}"
            )
        widths.append(width)
    return tuple(widths)


def format_channels(widths: Sequence[int]) -> str:
    """``(8, 16, 32, 64, 64)`` -> ``"8:16:32:64:64"`` (validated)."""
    widths = tuple(int(w) for w in widths)
    if len(widths) != N_LAYERS or any(w not in _POSITION for w in widths):
        raise ValueError(
            f"a NATS-sss architecture has {N_LAYERS} widths from {', '.join(map(str, CHANNELS))}; "
            f"got {widths!r}"
        )
    return ":".join(map(str, widths))


class NatsSizeSpace(SearchSpace):
    """The NATS-Bench size space (see the module docstring)."""

    name = "nats_sss"
    has_official_index = True
    size = len(CHANNELS) ** N_LAYERS
    encodings = ("onehot", "ordinal")

    def parse(self, text: str) -> tuple[int, ...]:
        return parse_channels(text)

    def format(self, arch: Any) -> str:
        if isinstance(arch, str):
            return format_channels(parse_channels(arch))
        if isinstance(arch, (tuple, list, np.ndarray)):
            return format_channels(tuple(arch))
        raise TypeError(
            f"expected a NATS-sss string or a sequence of {N_LAYERS} widths, got {type(arch).__name__}"
        )

    def widths(self, arch: Any) -> tuple[int, ...]:
        """The 5 widths of an arch given as a string, a sequence of widths or an official index."""
        if isinstance(arch, (int, np.integer)) and not isinstance(arch, bool):
            return parse_channels(self.arch_at(int(arch)))
        if isinstance(arch, str):
            return parse_channels(arch)
        return parse_channels(self.format(arch))

    # -- official index --------------------------------------------------------------------------
    def index(self, arch: Any) -> int:
        """The official NATS-sss index (product order, last layer fastest)."""
        pos = np.array([_POSITION[w] for w in self.widths(arch)])
        return int(pos @ _WEIGHTS)

    def arch_at(self, index: int) -> str:
        """The architecture string at an official index (0 .. 32,767)."""
        index = int(index)
        if not 0 <= index < self.size:
            raise IndexError(f"NATS-sss index {index} out of range; use 0 .. {self.size - 1}")
        pos = (index // _WEIGHTS) % len(CHANNELS)
        return format_channels([CHANNELS[p] for p in pos])

    def enumerate(self) -> Iterator[str]:
        return (":".join(map(str, w)) for w in itertools.product(CHANNELS, repeat=N_LAYERS))

    # -- identity --------------------------------------------------------------------------------
    def canonical(self, arch: Any) -> str:
        """Every width vector is its own class: the normalised string."""
        return format_channels(self.widths(arch))

    # -- sampling and neighbours -----------------------------------------------------------------
    def sample(self, n: int, seed: int | None = None) -> list[str]:
        ids = np.random.default_rng(seed).integers(0, len(CHANNELS), size=(int(n), N_LAYERS))
        return [":".join(str(CHANNELS[i]) for i in row) for row in ids]

    def neighbours(self, arch: Any) -> list[str]:
        """The 35 architectures that differ from ``arch`` in the width of exactly one layer."""
        widths = self.widths(arch)
        out = []
        for layer, current in enumerate(widths):
            for width in CHANNELS:
                if width != current:
                    out.append(format_channels(widths[:layer] + (width,) + widths[layer + 1 :]))
        return out

    # -- size of the network ---------------------------------------------------------------------
    def params(self, archs: Sequence[Any] | Any, num_classes: int = 10) -> float | np.ndarray:
        """Parameters (millions) of the NATS-sss network with these widths (module docstring).

        One arch gives a float, a sequence of archs an array (computed without a loop per arch).
        Every conv has no bias and is followed by a BN with 2 parameters per channel; the cell's
        skip edge is an identity when its input and output widths agree and a 1x1 conv + BN
        (NATS's ``FactorizedReduce``, stride 1) when they do not; a reduction block is
        ReLU-conv3x3(stride 2)-BN, ReLU-conv3x3-BN and an avg-pool + 1x1 conv shortcut.

        Shapes:
            archs: one arch, or ``(n,)`` archs; returns a float or ``(n,)``.
        """
        return self._size(archs, num_classes, 32, 0)

    def flops(
        self, archs: Sequence[Any] | Any, num_classes: int = 10, resolution: int = 32
    ) -> float | np.ndarray:
        """Multiply-adds (millions) of one forward pass on a ``resolution`` square input.

        Counted as NATS-Bench counts them: convolutions and the classifier (with its bias) only;
        pooling, BN and activations are free. ``resolution`` is 32 for CIFAR, 16 for
        ImageNet16-120. One arch gives a float, a sequence an array, as for ``params``.
        """
        return self._size(archs, num_classes, resolution, 1)

    def _size(self, archs: Any, num_classes: int, resolution: int, which: int) -> float | np.ndarray:
        items, single = as_list(archs)
        widths = np.array([self.widths(a) for a in items], dtype=np.int64).reshape(-1, N_LAYERS)
        total = sum(layer[which] for layer in _layers(widths.T, num_classes, resolution)) / 1e6
        total = np.asarray(total, dtype=np.float64) * np.ones(len(items))
        return float(total[0]) if single else total

    # -- encodings -------------------------------------------------------------------------------
    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Encode one arch or many.

        Encodings:
            ``onehot`` (40): one-hot width per layer (8 choices x 5 layers).
            ``ordinal`` (5): the width of each layer (8 .. 64), for tree models.
        """
        enc = self.check_encoding(encoding)
        items, single = as_list(archs)
        widths = np.array([self.widths(a) for a in items], dtype=np.int64).reshape(-1, N_LAYERS)
        if enc == "ordinal":
            out = widths.astype(np.float32)
        else:
            out = np.zeros((len(items), N_LAYERS, len(CHANNELS)), dtype=np.float32)
            pos = widths // CHANNELS[0] - 1
            out[np.arange(len(items))[:, None], np.arange(N_LAYERS), pos] = 1.0
            out = out.reshape(len(items), -1)
        return out[0] if single else out

    def to_graph(self, arch: Any) -> tuple[np.ndarray, np.ndarray]:
        """A chain of the 5 layers; node features are the one-hot width of each layer."""
        feats = self.encode([arch], "onehot").reshape(N_LAYERS, len(CHANNELS))
        edges = np.array([np.arange(N_LAYERS - 1), np.arange(1, N_LAYERS)], dtype=np.int64)
        return feats, edges


# The counts below take widths as ints or as numpy arrays (one entry per arch) alike.
def _conv(c_in: Any, c_out: Any, k: int, pixels: int, bn: bool = True) -> tuple[Any, Any]:
    """(parameters, multiply-adds) of a bias-free k x k conv (+ BN) with ``pixels`` outputs."""
    weights = c_in * c_out * k * k
    return weights + (2 * c_out if bn else 0), weights * pixels


def _cell(c_in: Any, c_out: Any, pixels: int) -> list[tuple[Any, Any]]:
    out = []
    for src, _, op in CELL_EDGES:
        width_in = c_in if src == 0 else c_out
        if op == "nor_conv_3x3":
            out.append(_conv(width_in, c_out, 3, pixels))
        else:  # skip: identity between equal widths, else a 1x1 conv + BN
            params, macs = _conv(width_in, c_out, 1, pixels)
            differ = width_in != c_out
            out.append((params * differ, macs * differ))
    return out


def _reduction(c_in: Any, c_out: Any, pixels: int) -> list[tuple[Any, Any]]:
    """ResNet basic block, stride 2; ``pixels`` counts the (halved) output resolution."""
    return [_conv(c_in, c_out, 3, pixels), _conv(c_out, c_out, 3, pixels),
            _conv(c_in, c_out, 1, pixels, bn=False)]


def _layers(widths: Any, num_classes: int, resolution: int) -> list[tuple[Any, Any]]:
    """(parameters, multiply-adds) of every parametrised layer of the network.

    Shapes:
        widths: ``(5,)`` ints or ``(5, n)`` arrays (layer-major); each entry ``()`` or ``(n,)``.
    """
    w0, w1, w2, w3, w4 = widths
    side = resolution
    layers = [_conv(3, w0, 3, side * side)]
    layers += _cell(w0, w0, side * side)
    side //= 2
    layers += _reduction(w0, w1, side * side) + _cell(w1, w2, side * side)
    side //= 2
    layers += _reduction(w2, w3, side * side) + _cell(w3, w4, side * side)
    classifier = w4 * num_classes + num_classes
    layers += [(2 * w4, 0), (classifier, classifier)]  # last BN; linear layer with bias
    return layers


SPACE = NatsSizeSpace()
