"""The NAS-Bench-Macro network (xiusu/NAS-Bench-Macro ``train/model.py``), in torch.

An architecture is 8 digits, one per searchable layer: ``0`` identity, ``1`` a MobileNetV2
inverted-residual block with kernel 3 and expansion 3 (``MB3_K3``), ``2`` kernel 5 and expansion
6 (``MB6_K5``). Layout::

    stem       Conv3x3(3 -> 32, no bias) + BN + ReLU
    stage 1    layers 1-2 (first at stride 2, channels 32 -> 64)
    stage 2    layers 3-5 (first at stride 2, 64 -> 128)
    stage 3    layers 6-8 (first at stride 2, 128 -> 256)
    head       Conv1x1(256 -> 1280, no bias) + BN + ReLU, global average pool, Linear(1280 -> classes)

The first layer of a stage always downsamples: an identity there is a 1x1 stride-2 conv + BN
(``Identity`` with a ``downsample``); an inverted-residual block has a shortcut only at stride 1.
Identities later in a stage are no-ops, so the network equals the one of the benchmark's "real"
arch (identities moved to the end of their stage), which is what it trained.

``flops(net)`` counts FLOPs as the benchmark did (``train/utils.py count_FLOPs``: multiply-adds of
every conv and linear layer, no bias, BN or activation terms, for a 32x32 input). Parameters and
FLOPs equal the published ``params`` / ``flops`` of the ``nbmacro`` store (in millions) for all
6,561 architectures (``benchmarks/network_params.py``).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nasbench.spaces import nbmacro as space
from predictors.networks import dataset_info

#: layers per stage; the first layer of each stage has stride 2 and doubles the channels
STAGES: tuple[int, ...] = (2, 3, 3)
#: digit -> (kernel, expansion) of the inverted-residual choices; ``0`` is the identity
BLOCKS: dict[str, tuple[int, int]] = {"1": (3, 3), "2": (5, 6)}
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280


class MacroIdentity(nn.Module):
    """The identity choice: a no-op, or a 1x1 conv (no bias) + BN where the stride or width changes.

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, H / stride, W / stride)``
    """

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.downsample = (
            nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))
            if stride != 1 or c_in != c_out
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x if self.downsample is None else self.downsample(x)


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand + BN + ReLU, kxk depthwise (stride) + BN + ReLU, 1x1 project
    + BN; a shortcut adds the input when the stride is 1 and the width unchanged.

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, H / stride, W / stride)``
    """

    def __init__(self, c_in: int, c_out: int, stride: int, kernel: int, expansion: int) -> None:
        super().__init__()
        hidden = c_in * expansion
        self.conv = nn.Sequential(
            nn.Conv2d(c_in, hidden, 1, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU(inplace=False),
            nn.Conv2d(hidden, hidden, kernel, stride, padding=kernel // 2, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU(inplace=False),
            nn.Conv2d(hidden, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out),
        )
        self.shortcut = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv(x)
        return out + x if self.shortcut else out


class MacroNetwork(nn.Module):
    """The NAS-Bench-Macro network of one 8-digit architecture.

    Shapes:
        input ``(B, in_channels, H, W)`` -> logits ``(B, num_classes)``
    """

    def __init__(self, arch: str, num_classes: int = 10, in_channels: int = 3) -> None:
        super().__init__()
        self.arch = arch
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, STEM_CHANNELS, 3, padding=1, bias=False),
            nn.BatchNorm2d(STEM_CHANNELS),
            nn.ReLU(inplace=False),
        )
        layers: list[nn.Module] = []
        digits = iter(arch)
        c = STEM_CHANNELS
        for n_layers in STAGES:
            for i in range(n_layers):
                c_in, stride = c, (2 if i == 0 else 1)
                c = 2 * c if i == 0 else c
                digit = next(digits)
                if digit == "0":
                    layers.append(MacroIdentity(c_in, c, stride))
                else:
                    layers.append(InvertedResidual(c_in, c, stride, *BLOCKS[digit]))
        self.blocks = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Conv2d(c, HEAD_CHANNELS, 1, bias=False),
            nn.BatchNorm2d(HEAD_CHANNELS),
            nn.ReLU(inplace=False),
        )
        self.classifier = nn.Linear(HEAD_CHANNELS, num_classes)

    def feature_blocks(self) -> list[nn.Module]:
        """The modules whose outputs are the network's block features, in forward order: the stem,
        then every searched layer that computes something. An identity that is a no-op (not the
        first of its stage) is left out: its output is its input, and the network is the
        benchmark's "real" arch without it. The fixed 1x1 head is not a searched block (as
        NB201's final BN + ReLU). Read by AZ-NAS (``predictors.zero_cost.passes``)."""
        no_op = [isinstance(m, MacroIdentity) and m.downsample is None for m in self.blocks]
        return [self.stem, *(m for m, skip in zip(self.blocks, no_op) if not skip)]

    def pre_gap(self, x: torch.Tensor) -> torch.Tensor:
        """Head feature map before global pooling (after the 1x1 conv, BN and ReLU).

        Shapes: ``(B, C, H, W)`` -> ``(B, 1280, H / 8, W / 8)``."""
        return self.head(self.blocks(self.stem(x)))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled head features. Shapes: ``(B, C, H, W)`` -> ``(B, 1280)``."""
        return self.pre_gap(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def flops(net: nn.Module, input_size: tuple[int, int] = (32, 32)) -> int:
    """FLOPs as NAS-Bench-Macro counted them: multiply-adds of every conv and linear layer.

    The benchmark walks the modules in order and carries the spatial size from conv to conv; the
    network is a chain (shortcuts have no convs), so the size each conv sees is its true input.
    Works on networks built on the ``meta`` device.
    """
    h, w = input_size
    total = 0
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            h = (h + 2 * m.padding[0] - m.kernel_size[0]) // m.stride[0] + 1
            w = (w + 2 * m.padding[1] - m.kernel_size[1]) // m.stride[1] + 1
            k = m.kernel_size[0] * m.kernel_size[1]
            total += m.in_channels * m.out_channels * h * w // m.groups * k
        elif isinstance(m, nn.Linear):
            total += m.in_features * m.out_features
    return total


def build(arch: Any, dataset: str = "cifar10") -> MacroNetwork:
    """The NAS-Bench-Macro network of ``arch`` (8 digits ``0``/``1``/``2``) for ``dataset``.

    Raises:
        ValueError: a malformed architecture (the space's message).
        KeyError: an unknown dataset.
    """
    num_classes, (in_channels, _, _) = dataset_info(dataset)
    return MacroNetwork(space.check_arch(arch), num_classes, in_channels)
