"""The DARTS / NAS-Bench-301 evaluation network (``NetworkCIFAR`` of quark0/darts ``model.py`` and
``operations.py``, the network NAS-Bench-301 trained its genotypes with), in torch.

Layout for ``C`` initial channels and ``layers`` cells (NB301's training: ``C=32, layers=8``)::

    stem       Conv3x3(3 -> 3C, no bias) + BN
    cells      ``layers`` cells; the cells at layers // 3 and 2 * layers // 3 are reduction cells
               (stride 2, channels x 2), the others normal cells
    head       global average pool, Linear(4 * C_last -> classes)
    auxiliary  (optional) the DARTS auxiliary head after cell 2 * layers // 3

A cell reads the outputs of the two previous cells, each mapped to ``C`` channels (a 1x1
ReLU-Conv-BN, or a ``FactorizedReduce`` when the cell before was a reduction), then each of its 4
nodes sums two ops of the genotype, and the cell output concatenates the 4 nodes (4 * C channels).
In a reduction cell the ops reading the two cell inputs have stride 2. Ops, as DARTS defines them
(BN affine): ``sep_conv_kxk`` two stacked (ReLU, depthwise kxk, pointwise 1x1, BN); ``dil_conv_kxk``
ReLU, depthwise kxk dilation 2, pointwise 1x1, BN; ``avg_pool_3x3`` (padding excluded) /
``max_pool_3x3``; ``skip_connect`` identity, or ``FactorizedReduce`` at stride 2.

``auxiliary=False`` by default (zero-cost proxies and parameter counts of the trained network's
main path); with ``auxiliary=True`` the forward in training mode returns ``(logits, aux_logits)``
as DARTS does. ``drop_path_prob`` (DARTS' drop-path on non-identity ops while training) is 0 by
default. ``affine`` (default ``True``, as DARTS and NB301 trained) sets learnable BN scale/shift
inside the ops; NASLib builds the DARTS ops with ``affine=False``, and with ``affine=False`` the
count equals the ``params`` NASLib recorded in the ``nb301`` store exactly (all 500 archs, see
``benchmarks/results/network_params_darts.md``); with ``affine=True`` it is larger by exactly the
ops' BN scale and shift parameters (0.50-1.22 % on the 500). NASLib's network (which
NAS-Bench-Suite-Zero scored) also follows every pooling op with a parameter-free
``BatchNorm2d(affine=False)``, as the DARTS search network does; this builder does not (NB301
trained DARTS' evaluation network). How much of the gap between our NB301 gradient proxies and
Suite-Zero's that explains: ``benchmarks/results/nb301_pool_bn.md``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nasbench.spaces import darts as space
from predictors.networks import dataset_info
from predictors.networks.ops import FactorizedReduce, Identity, ReLUConvBN

STEM_MULTIPLIER = 3


class SepConv(nn.Sequential):
    """DARTS separable conv: (ReLU, depthwise kxk, 1x1, BN) twice; the first at ``stride``.

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, H / stride, W / stride)``
    """

    def __init__(
        self, c_in: int, c_out: int, kernel: int, stride: int, padding: int, affine: bool = True
    ) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, stride, padding, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_in, 1, bias=False),
            nn.BatchNorm2d(c_in, affine=affine),
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, 1, padding, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class DilConv(nn.Sequential):
    """DARTS dilated separable conv: ReLU, depthwise kxk (dilation 2), 1x1, BN.

    Shapes:
        input ``(B, C_in, H, W)`` -> output ``(B, C_out, H / stride, W / stride)``
    """

    def __init__(
        self, c_in: int, c_out: int, kernel: int, stride: int, padding: int, affine: bool = True
    ) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, stride, padding, dilation=2, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


def make_op(name: str, C: int, stride: int, affine: bool = True) -> nn.Module:
    """A DARTS op by name (``nasbench.spaces.darts.OPS``) on ``C`` channels; ``affine`` for its BNs."""
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False)
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, stride=stride, padding=1)
    if name == "skip_connect":
        return Identity() if stride == 1 else FactorizedReduce(C, C, affine=affine)
    if name == "sep_conv_3x3":
        return SepConv(C, C, 3, stride, 1, affine)
    if name == "sep_conv_5x5":
        return SepConv(C, C, 5, stride, 2, affine)
    if name == "dil_conv_3x3":
        return DilConv(C, C, 3, stride, 2, affine)
    if name == "dil_conv_5x5":
        return DilConv(C, C, 5, stride, 4, affine)
    raise ValueError(f"unknown DARTS op {name!r}; use one of {', '.join(space.OPS)}")


def _drop_path(x: torch.Tensor, drop_prob: float) -> torch.Tensor:
    keep = 1.0 - drop_prob
    mask = torch.empty(x.size(0), 1, 1, 1, device=x.device, dtype=x.dtype).bernoulli_(keep)
    return x / keep * mask


class DartsCell(nn.Module):
    """One DARTS cell of fixed ops (see the module docstring).

    Args:
        pairs: the 8 ``(op, input)`` pairs of the cell.
        c_prev_prev, c_prev: channels of the two cell inputs.
        C: channels of every node.
        reduction: a reduction cell (stride 2 on the cell inputs).
        reduction_prev: the previous cell was a reduction (input 0 has twice the resolution).
        affine: learnable scale and shift in the ops' BatchNorms (the preprocessing BNs always).

    Shapes:
        inputs ``(B, c_prev_prev, 2H or H, ...)``, ``(B, c_prev, H, W)`` -> ``(B, 4C, H', W')``
    """

    def __init__(
        self,
        pairs: tuple[tuple[str, int], ...],
        c_prev_prev: int,
        c_prev: int,
        C: int,
        reduction: bool,
        reduction_prev: bool,
        affine: bool = True,
    ) -> None:
        super().__init__()
        self.reduction = reduction
        self.preprocess0 = (
            FactorizedReduce(c_prev_prev, C) if reduction_prev
            else ReLUConvBN(c_prev_prev, C, 1, 1, 0)
        )
        self.preprocess1 = ReLUConvBN(c_prev, C, 1, 1, 0)
        self.inputs = tuple(i for _, i in pairs)
        self.ops = nn.ModuleList(
            make_op(op, C, 2 if reduction and i < 2 else 1, affine) for op, i in pairs
        )
        self.concat = space.CONCAT

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, drop_prob: float = 0.0) -> torch.Tensor:
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for k in range(len(self.ops) // 2):
            total = None
            for j in (2 * k, 2 * k + 1):
                op = self.ops[j]
                h = op(states[self.inputs[j]])
                if self.training and drop_prob > 0 and not isinstance(op, Identity):
                    h = _drop_path(h, drop_prob)
                total = h if total is None else total + h
            states.append(total)
        return torch.cat([states[i] for i in self.concat], dim=1)


class AuxiliaryHead(nn.Sequential):
    """The DARTS CIFAR auxiliary head (input 8x8). Shapes: ``(B, C, 8, 8)`` -> ``(B, classes)``."""

    def __init__(self, C: int, num_classes: int) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.AvgPool2d(5, stride=3, padding=0, count_include_pad=False),
            nn.Conv2d(C, 128, 1, bias=False),
            nn.BatchNorm2d(128),
            nn.ReLU(inplace=False),
            nn.Conv2d(128, 768, 2, bias=False),
            nn.BatchNorm2d(768),
            nn.ReLU(inplace=False),
            nn.Flatten(),
            nn.Linear(768, num_classes),
        )


class DartsNetwork(nn.Module):
    """DARTS' ``NetworkCIFAR`` for one genotype (see the module docstring).

    Shapes:
        input ``(B, in_channels, H, W)`` -> logits ``(B, num_classes)`` (plus auxiliary logits in
        training mode when ``auxiliary``)
    """

    def __init__(
        self,
        genotype: space.Genotype,
        num_classes: int = 10,
        in_channels: int = 3,
        C: int = 32,
        layers: int = 8,
        auxiliary: bool = False,
        drop_path_prob: float = 0.0,
        affine: bool = True,
    ) -> None:
        super().__init__()
        self.genotype, self.drop_path_prob = genotype, drop_path_prob
        c_curr = STEM_MULTIPLIER * C
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, c_curr, 3, padding=1, bias=False), nn.BatchNorm2d(c_curr)
        )
        c_prev_prev, c_prev, c_curr = c_curr, c_curr, C
        self.cells = nn.ModuleList()
        reduction_prev = False
        self.aux_after = 2 * layers // 3
        c_aux = c_prev
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c_curr *= 2
            pairs = genotype.reduce if reduction else genotype.normal
            self.cells.append(
                DartsCell(pairs, c_prev_prev, c_prev, c_curr, reduction, reduction_prev, affine)
            )
            reduction_prev = reduction
            c_prev_prev, c_prev = c_prev, len(space.CONCAT) * c_curr
            if i == self.aux_after:
                c_aux = c_prev
        self.auxiliary_head = AuxiliaryHead(c_aux, num_classes) if auxiliary else None
        self.classifier = nn.Linear(c_prev, num_classes)

    def feature_blocks(self) -> list[nn.Module]:
        """The modules whose outputs are the network's block features, in forward order: the stem,
        then every cell (a cell reads the two previous outputs; read by AZ-NAS, whose steps follow
        the data flow: ``predictors.zero_cost.proxies.az_nas``)."""
        return [self.stem, *self.cells]

    def _run(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        s0 = s1 = self.stem(x)
        aux = None
        for i, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1, self.drop_path_prob)
            if i == self.aux_after and self.auxiliary_head is not None and self.training:
                aux = self.auxiliary_head(s1)
        return s1, aux

    def pre_gap(self, x: torch.Tensor) -> torch.Tensor:
        """Feature map before global pooling (the last cell's output; DARTS has no final BN).

        Shapes: ``(B, C, H, W)`` -> ``(B, 16 * C, H / 4, W / 4)`` (``C`` the initial channels)."""
        return self._run(x)[0]

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled features before the classifier. Shapes: ``(B, C, H, W)`` -> ``(B, 16 * C)``."""
        return self._run(x)[0].mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> Any:
        fmap, aux = self._run(x)
        logits = self.classifier(fmap.mean(dim=(2, 3)))
        return logits if aux is None else (logits, aux)


def build(
    arch: Any,
    dataset: str = "cifar10",
    *,
    C: int = 32,
    layers: int = 8,
    auxiliary: bool = False,
    drop_path_prob: float = 0.0,
    affine: bool = True,
) -> DartsNetwork:
    """The DARTS network of a genotype (string or ``Genotype``) for ``dataset``.

    Args:
        arch: a ``Genotype(...)`` string or ``nasbench.spaces.darts.Genotype``.
        dataset: an image dataset of ``dataset_info`` (NB301 trained on ``cifar10``).
        C, layers: initial channels and cells (NB301: 32 and 8; DARTS' paper network: 36 and 20).
        auxiliary: add the auxiliary head (NB301 trained with one; off for proxies).
        drop_path_prob: DARTS' drop-path probability while training.
        affine: learnable BN scale/shift inside the ops (DARTS and NB301 trained with ``True``;
            ``False`` is NASLib's DARTS graph, whose parameter counts are the ``nb301`` store's).

    Raises:
        ValueError: a malformed genotype (the space's message).
        KeyError: an unknown dataset.
    """
    num_classes, (in_channels, _, _) = dataset_info(dataset)
    genotype = space.SPACE.genotype(arch)
    return DartsNetwork(
        genotype, num_classes, in_channels, C, layers, auxiliary, drop_path_prob, affine
    )
