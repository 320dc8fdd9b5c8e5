"""The NATS-Bench size-space network (``DynamicShapeTinyNet`` of D-X-Y/AutoDL-Projects,
``xautodl/models/shape_infers/InferTinyCellNet.py``), in torch.

Every NATS-sss architecture is one fixed cell with 5 searched widths ``c0:c1:c2:c3:c4``::

    stem       Conv3x3(3 -> c0, no bias) + BN
    layer 0    cell c0 -> c0
    layer 1    ResNetBasicBlock(c0 -> c1, stride 2)
    layer 2    cell c1 -> c2
    layer 3    ResNetBasicBlock(c2 -> c3, stride 2)
    layer 4    cell c3 -> c4
    head       BN + ReLU, global average pool, Linear(c4 -> classes)

The cell is the one the benchmark's records name in ``arch_config['genotype']`` (``CELL``), an
NB201 cell whose edges leaving the cell input map ``C_in -> C_out`` and the others
``C_out -> C_out`` (AutoDL's ``InferCell``). Where the widths differ, ``skip_connect`` from the
input is AutoDL's stride-1 ``FactorizedReduce``: a bias-free 1x1 conv and BN, no ReLU
(``ChannelMap`` here). BatchNorm is affine with running statistics, as trained.

The parameter count equals the official ``params`` of the three NATS-sss records staged in the
``nats_sss`` store (archs 0, 11, 284, on cifar10 / cifar100 / ImageNet16-120), and the store's
``params`` that ``nasbench.spaces.nats_sss`` computes from the channel plan for the other archs
(``benchmarks/results/network_params_nats_sss.md``).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nasbench.spaces import nats_sss as space
from nasbench.spaces.nb201 import EDGES
from nasbench.spaces.nb201 import SPACE as NB201
from predictors.networks import dataset_info
from predictors.networks.nb201 import cell_forward
from predictors.networks.ops import AFFINE, TRACK_RUNNING_STATS, ResNetBasicBlock, make_op

#: the cell of every NATS-sss network (``arch_config['genotype']`` of the official records)
CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


class ChannelMap(nn.Module):
    """``skip_connect`` between different widths at stride 1: Conv1x1 (no bias) + BN.

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, H, W)``
    """

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 1, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=AFFINE, track_running_stats=TRACK_RUNNING_STATS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))


class SizeCell(nn.Module):
    """An NB201 cell from ``c_in`` to ``c_out`` channels (AutoDL's ``InferCell`` at stride 1).

    Args:
        ops: the 6 edge ops in NB201 string order (``nasbench.spaces.nb201.EDGES``).
        c_in, c_out: input and output widths.

    Shapes:
        input ``(B, c_in, H, W)`` -> output ``(B, c_out, H, W)``
    """

    def __init__(self, ops: tuple[str, ...], c_in: int, c_out: int) -> None:
        super().__init__()
        edges: list[nn.Module] = []
        for (src, _), op in zip(EDGES, ops):
            width = c_in if src == 0 else c_out
            if op == "skip_connect" and width != c_out:
                edges.append(ChannelMap(width, c_out))
            else:
                edges.append(make_op(op, width, c_out, 1))
        self.edges = nn.ModuleList(edges)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return cell_forward(self.edges, x)


class SizeNetwork(nn.Module):
    """The NATS-sss network for 5 widths (see the module docstring).

    Shapes:
        input ``(B, in_channels, H, W)`` -> logits ``(B, num_classes)``
    """

    def __init__(self, widths: tuple[int, ...], num_classes: int, in_channels: int = 3) -> None:
        super().__init__()
        self.widths = tuple(widths)
        ops = NB201.cell(CELL).ops
        c0 = widths[0]
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, c0, 3, padding=1, bias=False), nn.BatchNorm2d(c0)
        )
        layers: list[nn.Module] = []
        c_prev = c0
        for i, c in enumerate(widths):
            # odd layers reduce (AutoDL: layer_reductions = [False, True, False, True, False])
            layers.append(ResNetBasicBlock(c_prev, c, 2) if i % 2 else SizeCell(ops, c_prev, c))
            c_prev = c
        self.cells = nn.ModuleList(layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c_prev), nn.ReLU(inplace=False))
        self.classifier = nn.Linear(c_prev, num_classes)

    def feature_blocks(self) -> list[nn.Module]:
        """The modules whose outputs are the network's block features, in forward order: the stem,
        then the three cells and two reduction blocks (as NB201's; read by AZ-NAS)."""
        return [self.stem, *self.cells]

    def pre_gap(self, x: torch.Tensor) -> torch.Tensor:
        """Feature map before global pooling. Shapes: ``(B, C, H, W)`` -> ``(B, c4, H/4, W/4)``."""
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        return self.lastact(x)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled features. Shapes: ``(B, C, H, W)`` -> ``(B, c4)``."""
        return self.pre_gap(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def build(arch: Any, dataset: str = "cifar10") -> SizeNetwork:
    """The NATS-sss network of ``arch`` (``"8:16:32:64:64"`` or a width tuple) on ``dataset``.

    Raises:
        ValueError: a malformed architecture (the space's message).
        KeyError: an unknown dataset.
    """
    widths = space.parse_channels(arch if isinstance(arch, str) else space.format_channels(arch))
    num_classes, (in_channels, _, _) = dataset_info(dataset)
    return SizeNetwork(widths, num_classes, in_channels)
