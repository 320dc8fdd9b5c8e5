"""Parameters and FLOPs of every TransNAS-Bench-101 network, counted from the built networks.

What is counted follows the benchmark's own ``model_info`` tool (yawen-d/TransNASBench,
``tools/get_model_info.py`` and ``lib/models/model_info.py``):

* **encoder params**: ``sum(p.numel() for p in encoder.parameters())`` of the backbone
  (``MacroNet(structure='backbone')``: stem and the 8-12 cells or blocks; BatchNorm scale and
  shift included, running statistics not). The benchmark's ``encoder_params``. The same for every
  task: the seven tasks share the backbone and differ only in their decoder.
* **encoder FLOPs**: multiply-accumulates of one forward pass of the backbone on one image of
  224x224 (the tool's ``flops_input = (1, 3, 224, 224)``; the tasks were *trained* on 256x256), and
  on one 64x64 tile for jigsaw (the tool's ``get_flops(model.encoder, (1, 3, 64, 64))``: the jigsaw
  encoder sees each of the 9 tiles). The benchmark counted with ``thop.profile``; here only its
  convolution term is counted (``output elements x C_in x k x k``; no conv has a bias), as
  NATS-Bench counts FLOPs. Not counted: BatchNorm (thop adds ~2 per element in eval mode, how much
  depends on its version), ReLU, the additions inside a cell, padding and concatenation (0 in
  thop too). Every conv of the network is counted, also one whose input is always zero (a conv
  after a ``none``-only node), because it runs.
* **model params / FLOPs** for ``class_object`` (75 classes) and ``class_scene`` (47): the encoder
  plus the benchmark's ``FFDecoder`` (global average pool, ``Linear(C_last, classes)``): params
  add ``C_last x classes + classes``, FLOPs add the linear layer's ``C_last x classes`` MACs. The
  other tasks' decoders (jigsaw's Siamese head, room_layout's regressor, the dense tasks'
  conv/deconv decoders) are not built here, so they have the encoder numbers only.

Counting runs on the meta device (``torch.device("meta")``): parts are built and run without
allocating a weight or an activation. ``sizes`` builds each distinct part of a network (the stem,
a macro basic block, a micro edge op, by widths, stride and input size) once and sums the cached
counts, so all 7,352 networks take a few seconds on one thread; ``direct_sizes`` builds and runs
the whole network (about a second each) and is what the tests compare ``sizes`` with.

Command (writes ``data/transnas_size/transnas101_{micro,macro}.csv.gz``, deterministic bytes)::

    .venv/bin/python -m predictors.networks.transnas_size [--out data/transnas_size]

CSV columns (integers, exact counts, not millions): ``arch``, ``encoder_params``,
``encoder_flops`` (224x224), ``encoder_flops_jigsaw`` (one 64x64 tile),
``model_params_class_object``, ``model_flops_class_object``, ``model_params_class_scene``,
``model_flops_class_scene``; rows in the space's ``enumerate`` order (the store's row order).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from nasbench.spaces import transnas_macro as macro_space
from nasbench.spaces import transnas_micro as micro_space
from nasbench.spaces.nb201 import EDGES
from predictors.networks.transnas_macro import (
    BASE_CHANNELS,
    TASKS,
    BasicBlock,
    TransNASNetwork,
    build,
    make_op,
)

#: input (C, H, W) the benchmark's model_info counted encoder FLOPs at; jigsaw: one tile
FLOPS_INPUT = (3, 224, 224)
JIGSAW_TILE_INPUT = (3, 64, 64)
#: the classification tasks whose decoder (pool + linear) is built here
HEAD_TASKS = ("class_object", "class_scene")
COLUMNS = (
    "arch",
    "encoder_params",
    "encoder_flops",
    "encoder_flops_jigsaw",
    *(f"model_{what}_{task}" for task in HEAD_TASKS for what in ("params", "flops")),
)
#: space name -> its space object (``enumerate`` gives the store's row order)
SPACES = {"micro": micro_space.SPACE, "macro": macro_space.SPACE}
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "data" / "transnas_size"


def conv_macs(module: nn.Module, shape: tuple[int, int, int]) -> int:
    """Multiply-accumulates of the ``nn.Conv2d`` and ``nn.Linear`` layers of ``module`` in one
    forward pass of one input of ``shape``, run on the meta device (no memory, no arithmetic).

    Args:
        module: a network built on the meta device (``with torch.device("meta"): ...``).
        shape: ``(C, H, W)`` of one input image.

    Returns:
        ``sum(out.numel() * in_channels / groups * kh * kw)`` over the convolutions plus
        ``in_features * out.numel()`` over the linear layers (thop's counts; a conv bias would
        add one per output element, as in thop; no TransNAS conv has one).
    """
    total = 0

    def on_conv(m: nn.Conv2d, _inp: tuple, out: torch.Tensor) -> None:
        nonlocal total
        kh, kw = m.kernel_size
        bias = out.numel() if m.bias is not None else 0
        total += out.numel() * (m.in_channels // m.groups) * kh * kw + bias

    def on_linear(m: nn.Linear, _inp: tuple, out: torch.Tensor) -> None:
        nonlocal total
        total += out.numel() * m.in_features

    handles = [
        m.register_forward_hook(on_conv if isinstance(m, nn.Conv2d) else on_linear)
        for m in module.modules()
        if isinstance(m, (nn.Conv2d, nn.Linear))
    ]
    try:
        with torch.no_grad():
            module.eval()(torch.empty((1, *shape), device="meta"))
    finally:
        for h in handles:
            h.remove()
    return total


def n_params(module: nn.Module) -> int:
    """``sum(p.numel() for p in module.parameters())``: the benchmark's ``get_params``."""
    return sum(p.numel() for p in module.parameters())


class _Encoder(nn.Module):
    """The backbone of a built network (``MacroNet(structure='backbone')``): stem and cells."""

    def __init__(self, net: TransNASNetwork) -> None:
        super().__init__()
        self.stem, self.layers = net.stem, net.layers

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(self.stem(x))


def direct_sizes(arch: str) -> dict[str, int]:
    """Every count of ``COLUMNS`` (but ``arch``) for one arch, by building the whole network of
    each classification task on the meta device and running it: the reference that ``sizes``
    must equal (the tests compare them). About a second per micro network on one thread.

    Raises:
        ValueError: a malformed architecture string (the space's message).
    """
    out: dict[str, int] = {}
    with torch.device("meta"):
        for task in HEAD_TASKS:
            net = build(arch, task)
            if not out:
                encoder = _Encoder(net)
                out["encoder_params"] = n_params(encoder)
                out["encoder_flops"] = conv_macs(encoder, FLOPS_INPUT)
                out["encoder_flops_jigsaw"] = conv_macs(encoder, JIGSAW_TILE_INPUT)
            out[f"model_params_{task}"] = n_params(net)
            out[f"model_flops_{task}"] = conv_macs(net, FLOPS_INPUT)
    return out


def block_plan(skeleton: str) -> list[tuple[int, int, int]]:
    """``(c_in, c_out, stride)`` of each cell or block of a skeleton, in order: the channel plan
    of ``TransNASNetwork`` (two blocks per digit; the first halves the resolution for digits 3/4
    and doubles the width for 2/4). ``sizes`` equals ``direct_sizes`` only while the two agree;
    the tests check it on networks of both spaces."""
    c, plan = BASE_CHANNELS, []
    for digit in map(int, skeleton):
        c_out, stride = (2 * c if digit % 2 == 0 else c), (2 if digit > 2 else 1)
        plan += [(c, c_out, stride), (c_out, c_out, 1)]
        c = c_out
    return plan


class _Counter:
    """Counts of the network's parts, each part built once on the meta device and cached by
    what determines its counts (op or block, widths, stride, input size): a network's counts
    are the sum of its parts' (no part shares a parameter with another)."""

    def __init__(self) -> None:
        self._cache: dict[tuple, tuple[int, int, int]] = {}
        with torch.device("meta"):
            empty = build("64-41414-0_00_000", HEAD_TASKS[0])  # the stem of every network
        self.stem = empty.stem

    def part(
        self, make: Callable[..., nn.Module], args: tuple, c_in: int, h: int
    ) -> tuple[int, int, int]:
        """``(params, MACs, output height)`` of the part ``make(*args)`` on a ``(c_in, h, h)``
        input."""
        key = (make, args, c_in, h)
        if key not in self._cache:
            with torch.device("meta"):
                module = make(*args)
            shape = (c_in, h, h)
            with torch.no_grad():
                out_h = module.eval()(torch.empty((1, *shape), device="meta")).shape[-1]
            self._cache[key] = (n_params(module), conv_macs(module, shape), out_h)
        return self._cache[key]

    def _stem(self) -> nn.Module:
        return self.stem

    def encoder(
        self, skeleton: str, cell_ops: tuple[str, ...] | None, shape: tuple[int, int, int]
    ) -> tuple[int, int]:
        """``(params, MACs)`` of the backbone on one input of ``shape``."""
        params, macs, h = self.part(self._stem, (), shape[0], shape[1])
        for c_in, c_out, stride in block_plan(skeleton):
            if cell_ops is None:
                p, m, h = self.part(BasicBlock, (c_in, c_out, stride), c_in, h)
                params, macs = params + p, macs + m
                continue
            h_out = h
            for (src, _), op in zip(EDGES, cell_ops):
                if src == 0:
                    p, m, h_out = self.part(make_op, (op, c_in, c_out, stride), c_in, h)
                else:
                    p, m, _ = self.part(make_op, (op, c_out, c_out, 1), c_out, h_out)
                params, macs = params + p, macs + m
            h = h_out
        return params, macs


_COUNTER: _Counter | None = None


def sizes(arch: str) -> dict[str, int]:
    """Every count of ``COLUMNS`` (but ``arch``) for one TransNAS arch string, exact integers,
    summed over the network's parts (each built and run once, cached): equal to
    ``direct_sizes(arch)`` and some thousand times faster.

    Args:
        arch: ``64-<skeleton>-basic`` (macro) or ``64-41414-a_bc_def`` (micro).

    Raises:
        ValueError: a malformed architecture string (the space's message).
    """
    global _COUNTER
    if _COUNTER is None:
        _COUNTER = _Counter()
    if arch.endswith("-basic"):
        skeleton, cell_ops = macro_space.SPACE.parse(arch).skeleton, None
    else:
        skeleton, cell_ops = "41414", tuple(micro_space.SPACE.parse(arch).ops)
    params, flops = _COUNTER.encoder(skeleton, cell_ops, FLOPS_INPUT)
    _, flops_tile = _COUNTER.encoder(skeleton, cell_ops, JIGSAW_TILE_INPUT)
    c_last = block_plan(skeleton)[-1][1]
    out = {"encoder_params": params, "encoder_flops": flops, "encoder_flops_jigsaw": flops_tile}
    for task in HEAD_TASKS:
        classes, _ = TASKS[task]
        # the FFDecoder: global average pool (no MACs counted), Linear(c_last, classes)
        out[f"model_params_{task}"] = params + c_last * classes + classes
        out[f"model_flops_{task}"] = flops + c_last * classes
    return out


def table(space: str) -> list[dict[str, int | str]]:
    """The rows of one space, in ``enumerate`` (store row) order.

    Raises:
        KeyError: ``space`` is not ``micro`` or ``macro``.
    """
    if space not in SPACES:
        raise KeyError(f"unknown TransNAS space {space!r}; use one of {', '.join(SPACES)}")
    return [{"arch": str(a), **sizes(str(a))} for a in SPACES[space].enumerate()]


def write_csv_gz(rows: list[dict[str, int | str]], path: Path) -> None:
    """Write ``rows`` as a gzip csv with a fixed header and no timestamp (same rows, same bytes);
    via a temporary file and a rename, so a reader never sees half a file."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(text.getvalue().encode())
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    """Count both spaces and write ``<out>/transnas101_{micro,macro}.csv.gz``; prints wall times."""
    parser = argparse.ArgumentParser(prog="python -m predictors.networks.transnas_size",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--space", choices=[*SPACES, "both"], default="both")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    for space in SPACES if args.space == "both" else (args.space,):
        start = time.perf_counter()
        rows = table(space)
        path = args.out / f"transnas101_{space}.csv.gz"
        write_csv_gz(rows, path)
        wall = time.perf_counter() - start
        print(f"{path}: {len(rows):,} archs, {wall:.1f} s wall", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
