"""The NAS-Bench-201 / NATS-Bench topology network (``TinyNetwork`` with ``InferCell`` in
D-X-Y/AutoDL-Projects, the network the benchmark trained).

Layout, for ``C`` channels and ``N`` cells per stage (the benchmark: ``C=16, N=5``)::

    stem       Conv3x3(3 -> C, no bias) + BN
    stage 1    N cells at C
    reduction  ResNetBasicBlock(C -> 2C, stride 2)
    stage 2    N cells at 2C
    reduction  ResNetBasicBlock(2C -> 4C, stride 2)
    stage 3    N cells at 4C
    head       BN + ReLU, global average pool, Linear(4C -> classes)

A cell has 4 nodes; node ``i`` sums ``op(node_j)`` over its incoming edges ``j -> i``, node 0 is
the cell input and node 3 its output. The edge list comes from ``nasbench.spaces.nb201``
(``EDGES``, string order) and the ops from the parsed cell; every op is built by
``predictors.networks.ops.make_op`` with ``affine=True, track_running_stats=True`` as trained.
The parameter count equals the benchmark's published ``params`` for every cell and dataset
(``nasbench.spaces.nb201.SPACE.params``; checked for all 15,625 cells by
``benchmarks/network_params.py``).

``forward`` returns the logits only (the official network returns ``(features, logits)``); the
pooled features are ``net.features(x)``, the map before pooling ``net.pre_gap(x)``. The attributes
``stem``, ``cells`` (stem output, then every cell and reduction block in order) and ``pre_gap`` are
what cell-level proxies (AZ-NAS, Zen) read; other spaces' networks may offer the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch import nn

from nasbench.spaces.nb201 import EDGES, N_NODES
from nasbench.spaces.nb201 import SPACE as NB201
from predictors.networks import dataset_info
from predictors.networks.ops import ResNetBasicBlock, make_op


def cell_forward(edges: Iterable[nn.Module], x: torch.Tensor) -> torch.Tensor:
    """Run an NB201-wired cell: node ``i`` sums ``edge(node_j)`` over its edges ``j -> i``.

    Every cell on NB201's 4-node DAG (NB201, NATS-sss with width changes, TransNAS micro with
    strided input edges) computes this way; only how the edges are built differs.

    Args:
        edges: one module per edge of ``nasbench.spaces.nb201.EDGES``, in that (string) order.
        x: the cell input (node 0).

    Returns:
        node 3, the cell output.
    """
    nodes: list[Any] = [x] + [None] * (N_NODES - 1)
    for (src, dst), edge in zip(EDGES, edges):
        # string order lists every edge into node i before any edge leaving it
        out = edge(nodes[src])
        nodes[dst] = out if nodes[dst] is None else nodes[dst] + out
    return nodes[-1]


class NB201Cell(nn.Module):
    """One NB201 cell with fixed ops.

    Args:
        ops: the 6 edge ops in string order (``nasbench.spaces.nb201.EDGES``).
        C: channels in and out.

    Shapes:
        input ``(B, C, H, W)`` -> output ``(B, C, H, W)``
    """

    def __init__(self, ops: tuple[str, ...], C: int) -> None:
        super().__init__()
        self.ops = tuple(ops)
        self.edges = nn.ModuleList(make_op(op, C, C, 1) for op in ops)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return cell_forward(self.edges, x)


class NB201Network(nn.Module):
    """The NB201 macro skeleton around one cell (see the module docstring).

    Args:
        ops: the 6 edge ops of the cell, in string order.
        num_classes: classifier outputs.
        C: stem / first-stage channels (benchmark: 16).
        N: cells per stage (benchmark: 5).
        in_channels: input image channels.

    Shapes:
        input ``(B, in_channels, H, W)`` -> logits ``(B, num_classes)``
    """

    def __init__(
        self,
        ops: tuple[str, ...],
        num_classes: int,
        C: int = 16,
        N: int = 5,
        in_channels: int = 3,
    ) -> None:
        super().__init__()
        if C < 1 or N < 0:
            raise ValueError(f"NB201 network needs C >= 1 and N >= 0, got C={C}, N={N}")
        self.ops = tuple(ops)
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, C, 3, padding=1, bias=False), nn.BatchNorm2d(C)
        )
        cells: list[nn.Module] = []
        c = C
        for stage in range(3):
            if stage:
                cells.append(ResNetBasicBlock(c, 2 * c, 2))
                c *= 2
            cells.extend(NB201Cell(self.ops, c) for _ in range(N))
        self.cells = nn.ModuleList(cells)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=True))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, num_classes)

    def feature_blocks(self) -> list[nn.Module]:
        """The modules whose outputs are the network's block features, in forward order: the stem,
        then every cell and reduction block (what AZ-NAS reads; ``predictors.zero_cost.passes``)."""
        return [self.stem, *self.cells]

    def pre_gap(self, x: torch.Tensor) -> torch.Tensor:
        """Feature map before global pooling (after the last BN + ReLU).

        Shapes: ``(B, C_in, H, W)`` -> ``(B, 4C, H / 4, W / 4)``.
        """
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        return self.lastact(x)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled features before the classifier. Shapes: ``(B, C_in, H, W)`` -> ``(B, 4C)``."""
        return self.global_pooling(self.pre_gap(x)).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def build(arch: Any, dataset: str, C: int = 16, N: int = 5) -> NB201Network:
    """The NB201 network for ``arch`` (string, ``Cell`` or official index) on ``dataset``.

    ``C`` and ``N`` override the channel count and cells per stage (the benchmark: 16 and 5);
    the classes and input channels come from ``predictors.networks.dataset_info``.

    Raises:
        ValueError: malformed architecture (the space's message).
        KeyError: unknown dataset.
    """
    num_classes, (in_channels, _, _) = dataset_info(dataset)
    ops = NB201.cell(arch).ops
    return NB201Network(ops, num_classes, C=C, N=N, in_channels=in_channels)
