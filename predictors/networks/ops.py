"""Operations shared by the spaces' networks (torch).

The NAS-Bench-201 / NATS-Bench definitions (``xautodl.models.cell_operations`` in
D-X-Y/AutoDL-Projects), which other builders reuse where their benchmark defines the same op:

* ``ReLUConvBN``: ReLU -> Conv2d (no bias) -> BatchNorm2d, the ``nor_conv_kxk`` edge op.
* ``Zero``: the ``none`` edge; multiplies by 0 so autograd still sees the edge (as the benchmark).
* ``Identity``: ``skip_connect`` at stride 1 with equal channels.
* ``Pooling``: ``avg_pool_3x3`` / ``max_pool_3x3`` (padding 1, ``count_include_pad=False``), with a
  1x1 ReLUConvBN in front when the channel count changes.
* ``FactorizedReduce``: ``skip_connect`` at stride 2 (two offset 1x1 stride-2 convs, concatenated).
* ``ResNetBasicBlock``: the residual block between NB201 stages (stride 2 doubles the channels).

``make_op(name, C_in, C_out, stride)`` builds an NB201 op by its name. Names here are a contract
(the other spaces' builders import them): append, never rename.
"""

from __future__ import annotations

import torch
from torch import nn

#: BatchNorm settings the NB201 benchmark trained with (``affine=True, track_running_stats=True``)
AFFINE = True
TRACK_RUNNING_STATS = True


class ReLUConvBN(nn.Module):
    """ReLU, a bias-free Conv2d, BatchNorm2d: the ``nor_conv_1x1`` / ``nor_conv_3x3`` op.

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, H', W')``
    """

    def __init__(
        self,
        C_in: int,
        C_out: int,
        kernel_size: int,
        stride: int,
        padding: int,
        dilation: int = 1,
        affine: bool = AFFINE,
        track_running_stats: bool = TRACK_RUNNING_STATS,
    ) -> None:
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_out, kernel_size, stride=stride, padding=padding,
                      dilation=dilation, bias=False),
            nn.BatchNorm2d(C_out, affine=affine, track_running_stats=track_running_stats),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.op(x)


class Zero(nn.Module):
    """The ``none`` op: zeros of the output shape, kept in the graph as ``x * 0`` (as NB201 does),
    so a ``none`` edge passes zero gradient rather than none.

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, H / stride, W / stride)``
    """

    def __init__(self, C_in: int, C_out: int, stride: int = 1) -> None:
        super().__init__()
        self.C_in, self.C_out, self.stride = C_in, C_out, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride > 1:
            x = x[:, :, :: self.stride, :: self.stride]
        if self.C_in == self.C_out:
            return x.mul(0.0)
        shape = list(x.shape)
        shape[1] = self.C_out
        return x.new_zeros(shape)


class Identity(nn.Module):
    """``skip_connect`` at stride 1 with equal channels.

    Shapes:
        input ``(B, C, H, W)`` -> the same tensor
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class Pooling(nn.Module):
    """3x3 pooling (``"avg"`` or ``"max"``), padding 1; average excludes the padding. A 1x1
    ReLUConvBN maps the channels first when ``C_in != C_out``.

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, H / stride, W / stride)``
    """

    def __init__(
        self,
        C_in: int,
        C_out: int,
        stride: int = 1,
        mode: str = "avg",
        affine: bool = AFFINE,
        track_running_stats: bool = TRACK_RUNNING_STATS,
    ) -> None:
        super().__init__()
        self.preprocess = (
            None if C_in == C_out
            else ReLUConvBN(C_in, C_out, 1, 1, 0, 1, affine, track_running_stats)
        )
        if mode == "avg":
            self.op: nn.Module = nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False)
        elif mode == "max":
            self.op = nn.MaxPool2d(3, stride=stride, padding=1)
        else:
            raise ValueError(f"pooling mode {mode!r} is unknown; use 'avg' or 'max'")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.preprocess is not None:
            x = self.preprocess(x)
        return self.op(x)


class FactorizedReduce(nn.Module):
    """``skip_connect`` at stride 2: ReLU, two 1x1 stride-2 convs (the second on the input shifted
    by one pixel), concatenated to ``C_out`` channels, then BatchNorm.

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, H / 2, W / 2)``
    """

    def __init__(
        self,
        C_in: int,
        C_out: int,
        affine: bool = AFFINE,
        track_running_stats: bool = TRACK_RUNNING_STATS,
    ) -> None:
        super().__init__()
        if C_out % 2:
            raise ValueError(f"FactorizedReduce needs an even C_out, got {C_out}")
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, padding=0, bias=False)
        self.conv_2 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, padding=0, bias=False)
        self.bn = nn.BatchNorm2d(C_out, affine=affine, track_running_stats=track_running_stats)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        out = torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], dim=1)
        return self.bn(out)


class ResNetBasicBlock(nn.Module):
    """The residual block NB201 puts between its stages: two 3x3 ReLUConvBN and a shortcut
    (stride 2: 2x2 average pool then a bias-free 1x1 conv; channel change only: a 1x1 ReLUConvBN).

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, H / stride, W / stride)``
    """

    def __init__(
        self,
        C_in: int,
        C_out: int,
        stride: int,
        affine: bool = AFFINE,
        track_running_stats: bool = TRACK_RUNNING_STATS,
    ) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"ResNetBasicBlock stride must be 1 or 2, got {stride}")
        self.conv_a = ReLUConvBN(C_in, C_out, 3, stride, 1, 1, affine, track_running_stats)
        self.conv_b = ReLUConvBN(C_out, C_out, 3, 1, 1, 1, affine, track_running_stats)
        if stride == 2:
            self.downsample: nn.Module | None = nn.Sequential(
                nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
                nn.Conv2d(C_in, C_out, 1, stride=1, padding=0, bias=False),
            )
        elif C_in != C_out:
            self.downsample = ReLUConvBN(C_in, C_out, 1, 1, 0, 1, affine, track_running_stats)
        else:
            self.downsample = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        return residual + self.conv_b(self.conv_a(x))


#: NB201's five op names, in the official order
NB201_OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


def make_op(name: str, C_in: int, C_out: int, stride: int = 1) -> nn.Module:
    """An NB201 edge op by name (one of ``NB201_OPS``), with the benchmark's BN settings."""
    if name == "none":
        return Zero(C_in, C_out, stride)
    if name == "skip_connect":
        if stride == 1 and C_in == C_out:
            return Identity()
        return FactorizedReduce(C_in, C_out)
    if name == "nor_conv_1x1":
        return ReLUConvBN(C_in, C_out, 1, stride, 0)
    if name == "nor_conv_3x3":
        return ReLUConvBN(C_in, C_out, 3, stride, 1)
    if name == "avg_pool_3x3":
        return Pooling(C_in, C_out, stride, "avg")
    raise ValueError(f"unknown NB201 op {name!r}; use one of {', '.join(NB201_OPS)}")
