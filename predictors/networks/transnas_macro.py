"""The TransNAS-Bench-101 backbone (``MacroNet`` of yawen-d/TransNASBench,
``lib/models/net_infer/net_macro.py``) with its classification head, in torch. Builds both
TransNAS spaces: macro (``64-<skeleton>-basic``, ResNet basic blocks) and micro
(``64-41414-a_bc_def``, the searched cell).

Layout for base channels 64 and a skeleton of 4-6 digits::

    stem     Conv3x3(3 -> 32, stride 2, no bias) + BN, ReLUConvBN3x3(32 -> 64, stride 2)
    module   per skeleton digit: 2 blocks; the first has stride 2 for digits 3/4 and doubles
             the channels for digits 2/4, the second keeps both
    head     global average pool, Linear(C_last -> classes)   (the benchmark's FFDecoder)

A macro block is TransNAS's ``ResNetBasicblock``: two 3x3 ReLU-Conv-BN and a shortcut that is a
1x1 conv (stride) + BN when the shape changes (**not** NB201's average-pool shortcut). A micro
block is TransNAS's ``MicroCell``: the NB201 cell with ops none / skip / conv1x1 / conv3x3, whose
edges from the cell input run at the block's stride and channel change (a ``skip_connect`` there
is a ``FactorizedReduce``, stride 1 or 2) and has no residual shortcut. So TransNAS micro is not
the NB201 network: the same cell sits in a different backbone (64 channels, 10 cells, stride 32).

Tasks (``TASKS``): ``class_object`` (75 classes) and ``class_scene`` (47) on 256x256 images, as
the benchmark trained them (its "final5k" label selections; ``load_class_object_logits``: "100
cls -> 75 cls"; ``MacroNet``'s default ``num_classes=75``). NASLib's TransNAS graph says 100 / 63,
the counts of Taskonomy's earlier selection, not the benchmark's. Taskonomy images are not
available here, so ``dataset`` may also be any image dataset of
``predictors.networks.dataset_info``: the network is fully convolutional up to the pooling, so a
32x32 input works for proxies (a smaller input than the benchmark's; the parameter count is the
same).

BatchNorm is affine with running statistics; convolutions have no bias and start from the
benchmark's Kaiming-normal (fan-out) initialisation, as the benchmark's.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nasbench.spaces import transnas_macro as macro_space
from nasbench.spaces import transnas_micro as micro_space
from nasbench.spaces.nb201 import EDGES
from predictors.networks import DATASETS
from predictors.networks.nb201 import cell_forward
from predictors.networks.ops import AFFINE, TRACK_RUNNING_STATS, Identity, ReLUConvBN, Zero

#: TransNAS classification task -> (classes, input shape of the benchmark's images): the
#: "final5k" label selections (``lib/data/class_*_final5k.npy``: 75 of Taskonomy's 1,000 object
#: classes, 47 of its 365 scene classes) and ``cfg['input_dim'] = (256, 256)`` of the task configs
TASKS: dict[str, tuple[int, tuple[int, int, int]]] = {
    "class_object": (75, (3, 256, 256)),
    "class_scene": (47, (3, 256, 256)),
}
BASE_CHANNELS = 64


def _bn(c: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(c, affine=AFFINE, track_running_stats=TRACK_RUNNING_STATS)


class BasicBlock(nn.Module):
    """TransNAS's ``ResNetBasicblock``: 3x3 ReLUConvBN (stride) -> 3x3 ReLUConvBN, plus the input
    or, when stride or width change, a 1x1 conv (stride, no bias) + BN of it.

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, H / stride, W / stride)``
    """

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride, 1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1)
        self.downsample = (
            nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), _bn(c_out))
            if stride != 1 or c_in != c_out
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        return residual + self.conv_b(self.conv_a(x))


class Reduce(nn.Module):
    """TransNAS's ``FactorizedReduce`` (``skip_connect`` across a shape change): ReLU, two 1x1
    convs (the second on the input shifted by a pixel, zero-padded), concatenated, BN. At stride 1
    the two halves see the same grid shifted by one pixel.

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, ceil(H / stride), ceil(W / stride))``
    """

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.convs = nn.ModuleList(
            nn.Conv2d(c_in, c, 1, stride=stride, bias=False) for c in (c_out // 2, c_out - c_out // 2)
        )
        self.pad = nn.ConstantPad2d((0, 1, 0, 1), 0.0)
        self.bn = _bn(c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        shifted = self.pad(x)[:, :, 1:, 1:]
        return self.bn(torch.cat([self.convs[0](x), self.convs[1](shifted)], dim=1))


class TransNASZero(Zero):
    """TransNAS's ``Zero``: like NB201's, but across a width change at stride 2 the zeros have
    ``(H + 1) // 2`` rows, the conv ops' output size. (The benchmark's ``(H + 1) // stride`` would
    give ``H + 1`` at stride 1; no TransNAS network changes width at stride 1 inside a cell.)"""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.C_in == self.C_out:
            return super().forward(x)
        b, _, h, w = x.shape
        s = self.stride
        return x.new_zeros((b, self.C_out, (h + 1) // s if s > 1 else h, (w + 1) // s if s > 1 else w))


def make_op(name: str, c_in: int, c_out: int, stride: int) -> nn.Module:
    """A TransNAS micro op by name (``nasbench.spaces.transnas_micro.OPS``)."""
    if name == "none":
        return TransNASZero(c_in, c_out, stride)
    if name == "skip_connect":
        return Identity() if stride == 1 and c_in == c_out else Reduce(c_in, c_out, stride)
    if name == "nor_conv_1x1":
        return ReLUConvBN(c_in, c_out, 1, stride, 0)
    if name == "nor_conv_3x3":
        return ReLUConvBN(c_in, c_out, 3, stride, 1)
    raise ValueError(f"unknown TransNAS micro op {name!r}; use one of {', '.join(micro_space.OPS)}")


class MicroCell(nn.Module):
    """TransNAS's ``MicroCell``: an NB201-wired cell whose input edges carry stride and width change.

    Shapes:
        input ``(B, c_in, H, W)`` -> output ``(B, c_out, H / stride, W / stride)``
    """

    def __init__(self, ops: tuple[str, ...], c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.edges = nn.ModuleList(
            make_op(op, c_in, c_out, stride) if src == 0 else make_op(op, c_out, c_out, 1)
            for (src, _), op in zip(EDGES, ops)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return cell_forward(self.edges, x)


class TransNASNetwork(nn.Module):
    """The TransNAS backbone plus linear head for one architecture.

    Args:
        skeleton: the module digits (``"41414"`` for every micro network).
        cell_ops: the 6 micro cell ops in string order, or ``None`` for macro basic blocks.
        num_classes: head outputs.
        in_channels: image channels.

    Shapes:
        input ``(B, in_channels, H, W)`` -> logits ``(B, num_classes)``
    """

    def __init__(
        self,
        skeleton: str,
        cell_ops: tuple[str, ...] | None,
        num_classes: int,
        in_channels: int = 3,
        base_channels: int = BASE_CHANNELS,
    ) -> None:
        super().__init__()
        self.skeleton, self.cell_ops = skeleton, cell_ops
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, base_channels // 2, 3, stride=2, padding=1, bias=False),
            _bn(base_channels // 2),
            ReLUConvBN(base_channels // 2, base_channels, 3, 2, 1),
        )
        c = base_channels
        blocks: list[nn.Module] = []
        for digit in map(int, skeleton):
            c_out = 2 * c if digit % 2 == 0 else c
            stride = 2 if digit > 2 else 1
            for i in range(2):
                c_in, s = (c, stride) if i == 0 else (c_out, 1)
                blocks.append(
                    BasicBlock(c_in, c_out, s) if cell_ops is None else MicroCell(cell_ops, c_in, c_out, s)
                )
            c = c_out
        self.layers = nn.Sequential(*blocks)
        self.classifier = nn.Linear(c, num_classes)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The benchmark's ``_kaiming_init``: convolutions Kaiming-normal (fan-out, ReLU gain),
        BatchNorm scale 1 and shift 0; the linear head keeps torch's default."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d) and m.affine:
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def feature_blocks(self) -> list[nn.Module]:
        """The modules whose outputs are the network's block features, in forward order: the stem
        (both its convs, one block), then every basic block or micro cell. Read by AZ-NAS
        (``predictors.zero_cost.passes``)."""
        return [self.stem, *self.layers]

    def pre_gap(self, x: torch.Tensor) -> torch.Tensor:
        """Backbone output (the benchmark's ``structure='backbone'``). Shapes: ``(B, C, H, W)`` ->
        ``(B, C_last, H', W')``."""
        return self.layers(self.stem(x))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled backbone features. Shapes: ``(B, C, H, W)`` -> ``(B, C_last)``."""
        return self.pre_gap(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def task_info(dataset: str) -> tuple[int, tuple[int, int, int]]:
    """``(classes, input shape)`` of a TransNAS classification task or an image dataset."""
    if dataset in TASKS:
        return TASKS[dataset]
    if dataset in DATASETS:
        return DATASETS[dataset]
    raise KeyError(
        f"no TransNAS classification network for dataset {dataset!r}; use one of "
        f"{', '.join([*TASKS, *DATASETS])} (the other TransNAS tasks need decoders not built here)"
    )


def build(arch: Any, dataset: str = "class_object") -> TransNASNetwork:
    """The TransNAS network of ``arch`` with the classification head of ``dataset``.

    Args:
        arch: a macro string ``64-<skeleton>-basic`` or a micro string ``64-41414-a_bc_def``
            (or their space objects).
        dataset: ``class_object`` / ``class_scene`` or an image dataset of ``dataset_info``.

    Raises:
        ValueError: a malformed architecture (the space's message).
        KeyError: an unknown dataset.
    """
    num_classes, (in_channels, _, _) = task_info(dataset)
    text = arch if isinstance(arch, str) else str(arch)
    if text.endswith("-basic"):
        skeleton = macro_space.SPACE.parse(text).skeleton
        return TransNASNetwork(skeleton, None, num_classes, in_channels)
    cell = micro_space.SPACE.parse(text)
    return TransNASNetwork("41414", tuple(cell.ops), num_classes, in_channels)
