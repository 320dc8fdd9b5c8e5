"""The NAS-Bench-101 network (google-research/nasbench ``model_builder.py``), in torch.

Layout, with the benchmark's defaults (``stem_channels=128, stacks=3, cells_per_stack=3``)::

    stem       Conv3x3(in -> 128, no bias) + BN + ReLU
    stack 1    3 cells at 128 channels
    downsample MaxPool 2x2 stride 2, channels x 2
    stack 2    3 cells at 256
    downsample MaxPool 2x2 stride 2, channels x 2
    stack 3    3 cells at 512
    head       global average pool, Linear(512 -> classes)

Inside a cell (``Cell``), as the official builder: the output channels are split over the
vertices that feed the output vertex and propagated back to the interior vertices
(``nasbench.spaces.nb101.channel_plan``; the cells' in/out channels are its ``cell_plan``); vertex ``t`` sums its interior inputs (truncated to its
channel count where the split left them one channel wider) and, if the input feeds it, a 1x1
conv-BN-ReLU projection of the cell input; then applies its op (``conv3x3-bn-relu``,
``conv1x1-bn-relu`` or ``maxpool3x3``). The output vertex concatenates its interior inputs and
adds a projection of the cell input when the input feeds it directly.

Weights start from the benchmark's TensorFlow initialisers (``NB101Network.reset_parameters``),
or with ``init="zero-cost-nas"`` from the initialisers of zero-cost-nas's NB101 model
(``nasbench1.py``, kept in NASLib), on which NAS-Bench-Suite-Zero computed its NB101 proxy scores:
its ``l2_norm`` values, which depend on the init alone, equal the ones this init gives within 0.33 %
(ranks 0.998 on its 292 cells; 0.927 with the TensorFlow init).
Convolutions have no bias; BatchNorm uses the benchmark's ``epsilon=1e-5`` and
``momentum=0.997`` (TensorFlow's decay; torch's ``momentum=0.003``), affine, so each BN adds 2
parameters per channel. The parameter count equals the published ``trainable_parameters`` (the
``params`` metric of the ``nb101`` store, in millions) for every cell that has one
(``benchmarks/network_params.py``).

Built from the labelling it is given: the published counts belong to the canonical labelling (the
one stored in the ``nb101`` store), and an isomorphic relabelling may split channels differently.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from nasbench.spaces import nb101 as space
from predictors.networks import dataset_info

#: weight initialisers ``NB101Network`` can start from (``reset_parameters``)
INITS = ("tensorflow", "zero-cost-nas")

#: BatchNorm settings of the official builder (``base_ops.BN_MOMENTUM`` = 0.997 as a TF decay)
BN_EPS = 1e-5
BN_MOMENTUM = 1.0 - 0.997


class ConvBNReLU(nn.Sequential):
    """Conv2d (no bias, 'same' padding) -> BatchNorm2d -> ReLU, the NB101 ``conv_bn_relu``.

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, H, W)``
    """

    def __init__(self, c_in: int, c_out: int, kernel_size: int) -> None:
        super().__init__(
            nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2, bias=False),
            nn.BatchNorm2d(c_out, eps=BN_EPS, momentum=BN_MOMENTUM),
            nn.ReLU(inplace=False),
        )


def _vertex_op(op: str, channels: int) -> nn.Module:
    if op == "conv3x3-bn-relu":
        return ConvBNReLU(channels, channels, 3)
    if op == "conv1x1-bn-relu":
        return ConvBNReLU(channels, channels, 1)
    if op == "maxpool3x3":
        return nn.MaxPool2d(3, stride=1, padding=1)
    raise ValueError(f"unknown NB101 op {op!r}; use one of {', '.join(space.OPS)}")


class Cell(nn.Module):
    """One NB101 module (cell) built from a pruned spec.

    Args:
        cell: a pruned ``nasbench.spaces.nb101.Cell``.
        c_in: channels of the cell input.
        c_out: channels of the cell output.

    Shapes:
        input ``(B, c_in, H, W)`` -> output ``(B, c_out, H, W)``
    """

    def __init__(self, cell: space.Cell, c_in: int, c_out: int) -> None:
        super().__init__()
        m, n = cell.matrix, cell.n_vertices
        self.matrix, self.n = m, n
        self.channels = space.channel_plan(m, c_in, c_out)
        self.proj = nn.ModuleDict()
        self.ops = nn.ModuleDict()
        for t in range(1, n - 1):
            if m[0][t]:
                self.proj[str(t)] = ConvBNReLU(c_in, self.channels[t], 1)
            self.ops[str(t)] = _vertex_op(cell.ops[t], self.channels[t])
        if m[0][n - 1]:
            self.proj[str(n - 1)] = ConvBNReLU(c_in, c_out, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m, n, ch = self.matrix, self.n, self.channels
        values: list[torch.Tensor] = [x]
        for t in range(1, n - 1):
            # a source one channel wider than t (the uneven split) is truncated, as officially
            inputs = [values[s][:, : ch[t]] for s in range(1, t) if m[s][t]]
            if m[0][t]:
                inputs.append(self.proj[str(t)](x))
            values.append(self.ops[str(t)](sum(inputs[1:], inputs[0])))
        fan_in = [values[t] for t in range(1, n - 1) if m[t][n - 1]]
        if not fan_in:
            return self.proj[str(n - 1)](x)
        out = fan_in[0] if len(fan_in) == 1 else torch.cat(fan_in, dim=1)
        if m[0][n - 1]:
            out = out + self.proj[str(n - 1)](x)
        return out


class NB101Network(nn.Module):
    """The NB101 network: stem, stacks of identical cells with max-pool downsampling, linear head.

    Args:
        cell: a pruned ``nasbench.spaces.nb101.Cell``.
        num_classes: size of the output layer.
        in_channels: image channels.
        stem_channels, stacks, cells_per_stack: the network configuration (benchmark: 128, 3, 3).
        init: the weight initialisers, one of ``INITS`` (see ``reset_parameters``).

    Shapes:
        input ``(B, in_channels, H, W)`` -> logits ``(B, num_classes)``
    """

    def __init__(
        self,
        cell: space.Cell,
        num_classes: int = 10,
        in_channels: int = 3,
        stem_channels: int = 128,
        stacks: int = 3,
        cells_per_stack: int = 3,
        init: str = "tensorflow",
    ) -> None:
        super().__init__()
        self.cell = cell
        layers: list[nn.Module] = [ConvBNReLU(in_channels, stem_channels, 3)]
        c = stem_channels
        for i, (c_in, c_out) in enumerate(space.cell_plan(stem_channels, stacks, cells_per_stack)):
            if i and i % cells_per_stack == 0:
                # a new stack: TF's 2x2 'same' max-pool (an odd size rounds up: ceil_mode)
                layers.append(nn.MaxPool2d(2, stride=2, ceil_mode=True))
            layers.append(Cell(cell, c_in, c_out))
            c = c_out
        self.layers = nn.Sequential(*layers)
        self.classifier = nn.Linear(c, num_classes)
        self.reset_parameters(init)

    def reset_parameters(self, init: str = "tensorflow") -> None:
        """Draw the weights; BatchNorm scale 1 and shift 0 under either ``init``.

        ``"tensorflow"``: the initialisers the benchmark trained with: convolutions
        ``variance_scaling_initializer()`` (truncated normal, fan-in, scale 1), the dense layer
        Glorot-uniform with zero bias. ``"zero-cost-nas"``: those of zero-cost-nas's NB101 model,
        which NAS-Bench-Suite-Zero's NB101 scores were computed on: convolutions normal with
        variance ``2 / (k * k * C_out)`` (He, fan-out), the dense layer normal with std 0.01 and
        zero bias."""
        if init not in INITS:
            raise ValueError(f"unknown NB101 init {init!r}; use one of {', '.join(INITS)}")
        for m in self.modules():
            if init == "zero-cost-nas" and isinstance(m, nn.Conv2d):
                fan_out = m.out_channels * m.kernel_size[0] * m.kernel_size[1]
                nn.init.normal_(m.weight, std=math.sqrt(2.0 / fan_out))
            elif init == "zero-cost-nas" and isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
                # TF divides by the std of a unit normal truncated at 2 sigma
                std = math.sqrt(1.0 / fan_in) / 0.87962566103423978
                nn.init.trunc_normal_(m.weight, std=std, a=-2 * std, b=2 * std)
            elif isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def feature_blocks(self) -> list[nn.Module]:
        """The modules whose outputs are the network's block features, in forward order: the stem
        conv-BN-ReLU, then the 9 cells (the parameter-free max-pools between stacks are not
        blocks: each lies inside the step from a stack's last cell to the next stack's first).
        Read by AZ-NAS (``predictors.zero_cost.passes``)."""
        return [m for m in self.layers if not isinstance(m, nn.MaxPool2d)]

    def pre_gap(self, x: torch.Tensor) -> torch.Tensor:
        """Feature map before global pooling (last cell's output).

        Shapes: ``(B, C, H, W)`` -> ``(B, 4 * stem_channels, H / 4, W / 4)``."""
        return self.layers(x)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Globally pooled features. Shapes: ``(B, C, H, W)`` -> ``(B, 4 * stem_channels)``."""
        return self.pre_gap(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def build(
    arch: Any,
    dataset: str = "cifar10",
    *,
    stem_channels: int = 128,
    stacks: int = 3,
    cells_per_stack: int = 3,
    init: str = "tensorflow",
) -> NB101Network:
    """The NB101 network of ``arch`` for ``dataset`` (an image dataset of ``dataset_info``).

    Args:
        arch: an NB101 string, ``Cell``, ``(matrix, ops)`` pair or official module hash.
        dataset: sets the classes and input channels (the benchmark trained on ``cifar10``).
        stem_channels, stacks, cells_per_stack: overrides of the benchmark's 128 / 3 / 3.
        init: ``"tensorflow"`` (the benchmark's initialisers) or ``"zero-cost-nas"`` (those
            NAS-Bench-Suite-Zero's scores were computed with); see ``reset_parameters``.

    Raises:
        ValueError: a malformed or out-of-space cell (the space's message); an unknown ``init``.
        KeyError: an unknown dataset.
    """
    num_classes, (in_channels, _, _) = dataset_info(dataset)
    return NB101Network(
        space.SPACE.cell(arch), num_classes, in_channels, stem_channels, stacks, cells_per_stack,
        init,
    )
