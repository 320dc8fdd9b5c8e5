"""The shared passes: each runs the network once (or a fixed few times) and returns what the
proxies read. A pass receives the set of features its proxies asked for and computes only those.

Passes and features (``"<pass>:<feature>"``):

``static`` (no data): ``net`` - the network at its default init, untouched.

``single`` - one real image (the first of the batch), train-mode BN, default init, no grad:
    ``macs`` (multiply-adds of every Conv2d / Linear, bias counted as one per output),
    ``meco`` (per module call: the smallest eigenvalue of the channel correlation matrix of the
    module's output).

``data`` - the real batch (64 CIFAR-10 images), train-mode BN, default init, cross-entropy:
    one forward; then, as asked, ``jacobian`` (d sum(logits) / d input), ``grad`` (d loss / d
    weight of every Conv2d / Linear), ``hvp`` (Hessian-gradient product for GraSP: a second
    backward through the same graph), ``fisher`` (per-channel activation x gradient of every
    Conv2d / Linear output, each channel's value counted once per weight of the channel), ``codes`` (binary ReLU patterns for NASWOT and SWAP),
    ``constant`` (whether the logits are identical for every image).

``data2`` - the second real batch, otherwise as ``data``: ``grad`` (ZiCo's second batch).

``persample`` - one gradient per image of the batch (BN statistics of that image alone, as a
    batch of one; every layer's per-image weight gradients from one convolution backward with
    the batch folded into the groups, ``per_image_grads``; dense, grouped and depthwise
    convolutions alike): ``gradsign``; ``image_independent`` (the logits under per-image BN are
    the same for every image; then ``gradsign`` is NaN).

``synflow`` - a float64 copy without BN, all parameters made positive, input all ones:
    ``synflow`` (|w * d sum(out) / d w| per Conv2d / Linear).

``zen`` - a copy with N(0, 1) weights, two random Gaussian batches (the second mixed by 0.01),
    train-mode BN: ``zen``.

``aznas`` - a copy with Kaiming-normal (fan-in) weights, a random Gaussian batch, train-mode BN:
    ``aznas`` (expressivity, progressivity, trainability of the outputs of the network's blocks,
    ``feature_blocks``: stem and cells / blocks; the conventions per network are the table in
    ``predictors.zero_cost.proxies.az_nas``).

Every random draw comes from a ``torch.Generator`` seeded from the run's seed and the pass, so a
result does not depend on which other passes ran or in which order.

On a graph (NAS-Bench-Graph GNNs, ``graph_passes.GraphInputs``) the runner calls the passes of the
same names in ``predictors.zero_cost.graph_passes`` instead: nodes play the role of images.
"""

from __future__ import annotations

import copy
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

#: the layers whose weights the gradient proxies read (zero-cost-nas / NASLib convention)
WEIGHTED = (nn.Conv2d, nn.Linear)


@dataclass
class Inputs:
    """The data a proxy run reads.

    Attributes:
        x: the batch (real images, normalised).
        y: its labels.
        x2: a second batch of the same size (ZiCo), or ``None``.
        y2: its labels.
        num_classes: classifier outputs.
        seed: seeds every random draw of the passes (``seed * 1000 + pass offset``).

    Shapes:
        x, x2: ``(B, C, H, W)``; y, y2: ``(B,)``.
    """

    x: torch.Tensor
    y: torch.Tensor
    x2: torch.Tensor | None
    y2: torch.Tensor | None
    num_classes: int
    seed: int = 0


def _generator(seed: int, offset: int, device: Any) -> torch.Generator:
    g = torch.Generator(device=device)
    g.manual_seed(int(seed) * 1000 + offset)
    return g


def weighted_layers(net: nn.Module) -> list[nn.Module]:
    """The Conv2d / Linear modules of ``net`` in module order."""
    return [m for m in net.modules() if isinstance(m, WEIGHTED)]


def _copy(net: nn.Module) -> nn.Module:
    twin = copy.deepcopy(net)
    for m in twin.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats:
            m.reset_running_stats()
    return twin


# -- static / single ------------------------------------------------------------------------------
def static_pass(net: nn.Module, inputs: Inputs, features: set[str]) -> dict[str, Any]:
    return {"net": net}


def single_pass(net: nn.Module, inputs: Inputs, features: set[str]) -> dict[str, Any]:
    macs = [0.0]
    meco: list[float] = []

    def hook(module: nn.Module, args: Any, out: Any) -> None:
        if not isinstance(out, torch.Tensor):
            return
        if "macs" in features and isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
            macs[0] += out[0].numel() * (k + (module.bias is not None))
        elif "macs" in features and isinstance(module, nn.Linear):
            macs[0] += out[0].numel() * (module.in_features + (module.bias is not None))
        if "meco" in features:
            meco.append(_min_corr_eig(out[0]))

    handles = [m.register_forward_hook(hook) for m in net.modules()]
    try:
        net.train()
        with torch.no_grad():
            net(inputs.x[:1])
    finally:
        for h in handles:
            h.remove()
    return {"macs": macs[0], "meco": meco}


def _min_corr_eig(feature: torch.Tensor) -> float:
    """MeCo's per-layer term: the smallest eigenvalue of the correlation matrix between the rows
    (channels) of one sample's feature map; NaN / inf correlations count as 0 (as MeCo)."""
    fea = feature.detach().reshape(feature.shape[0], -1).double()
    if fea.shape[0] < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a one-pixel map has no variance: NaN, counted as 0
        corr = torch.corrcoef(fea)
    corr = torch.nan_to_num(corr, nan=0.0, posinf=0.0, neginf=0.0)
    return float(torch.linalg.eigvalsh(corr)[0])


# -- data / data2 ---------------------------------------------------------------------------------
def _data_pass(
    net: nn.Module, x: torch.Tensor, y: torch.Tensor, features: set[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    layers = weighted_layers(net)
    weights = [m.weight for m in layers]
    acts: list[torch.Tensor] = []
    act_layers: list[nn.Module] = []
    codes: list[torch.Tensor] = []
    handles = []
    if "fisher" in features:
        def act_hook(module: nn.Module, args: Any, o: torch.Tensor) -> None:
            acts.append(o)
            act_layers.append(module)

        handles += [m.register_forward_hook(act_hook) for m in layers]
    if "codes" in features:

        def relu_hook(module: nn.Module, args: Any, o: torch.Tensor) -> None:
            codes.append((args[0].detach() > 0).reshape(args[0].shape[0], -1))

        # a ReLU in place has overwritten its input by the time the hook runs, but relu(x) > 0
        # exactly where x > 0, so the pattern is the same
        handles += [m.register_forward_hook(relu_hook) for m in net.modules()
                    if isinstance(m, nn.ReLU)]
    net.train()
    net.zero_grad(set_to_none=True)
    want_jac = "jacobian" in features
    x = x.detach().clone().requires_grad_(want_jac)
    try:
        logits = net(x)
    finally:
        for h in handles:
            h.remove()
    out["constant"] = bool((logits.detach() - logits.detach()[:1]).abs().max() == 0)
    if codes:
        out["codes"] = codes
    if want_jac:
        (jac,) = torch.autograd.grad(logits.sum(), x, retain_graph=True)
        out["jacobian"] = jac.detach().reshape(jac.shape[0], -1)
    if {"grad", "hvp", "fisher"} & features:
        fans = [math.prod(layer.weight.shape[1:]) for layer in act_layers]
        out.update(_gradient_features(F.cross_entropy(logits, y), weights, acts, fans, features))
    return out


def _gradient_features(loss: torch.Tensor, weights: list[torch.Tensor], acts: list[torch.Tensor],
                       fans: list[int], features: set[str]) -> dict[str, Any]:
    """``weights``, ``grad``, and where asked ``fisher`` and ``hvp`` from one backward of ``loss``.

    Fisher (zero-cost-nas): per channel ``0.5 * mean_batch (sum_spatial a * dL/da)^2``, broadcast
    to the channel's ``fan`` weights; ``acts`` are the activations it reads, ``fans`` their
    layers' weights per channel. Shared by the image and the graph data passes.
    """
    targets = weights + (acts if "fisher" in features else [])
    grads = torch.autograd.grad(loss, targets, create_graph="hvp" in features, allow_unused=True)
    gw = list(grads[: len(weights)])
    out: dict[str, Any] = {
        "weights": [w.detach() for w in weights],
        "grad": [torch.zeros_like(w) if g is None else g.detach() for w, g in zip(weights, gw)],
    }
    if "fisher" in features:
        total = 0.0
        for fan, a, g in zip(fans, acts, grads[len(weights):]):
            if g is None:
                continue
            prod = a.detach() * g.detach()
            per = prod.sum(dim=(2, 3)) if prod.dim() == 4 else prod
            total += float((0.5 * per.pow(2).mean(0)).sum()) * fan
        out["fisher"] = total
    if "hvp" in features:
        out["hvp"] = _hessian_gradient(gw, weights)
    return out


def _hessian_gradient(grads: list[Any], weights: list[torch.Tensor]) -> list[torch.Tensor]:
    """GraSP's ``H g`` per weight: the gradient of ``g . stop_grad(g)`` (``grads`` taken with
    ``create_graph=True``); zeros where the loss does not reach a weight twice."""
    z = sum((g.detach() * g).sum() for g in grads if g is not None and g.requires_grad)
    if not (isinstance(z, torch.Tensor) and z.requires_grad):
        return [torch.zeros_like(w) for w in weights]
    hg = torch.autograd.grad(z, weights, allow_unused=True)
    return [torch.zeros_like(w) if h is None else h.detach() for w, h in zip(weights, hg)]


def data_pass(net: nn.Module, inputs: Inputs, features: set[str]) -> dict[str, Any]:
    out = _data_pass(net, inputs.x, inputs.y, features)
    out["labels"] = inputs.y
    return out


def data2_pass(net: nn.Module, inputs: Inputs, features: set[str]) -> dict[str, Any]:
    if inputs.x2 is None:
        raise ValueError("the 'data2' pass needs a second batch (Inputs.x2)")
    return _data_pass(net, inputs.x2, inputs.y2, features)


# -- per-sample gradients (GradSign) --------------------------------------------------------------
class _PerImageBN(nn.Module):
    """Train-mode BN over a batch of one image, for every image at once: instance norm with the
    BN's affine parameters (the same numbers as running each image alone through the BN)."""

    def __init__(self, bn: nn.modules.batchnorm._BatchNorm) -> None:
        super().__init__()
        self.weight, self.bias, self.eps = bn.weight, bn.bias, bn.eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.instance_norm(x, weight=self.weight, bias=self.bias, eps=self.eps)


def _swap_bn(net: nn.Module, make: Any) -> None:
    for name, child in list(net.named_children()):
        if isinstance(child, nn.modules.batchnorm._BatchNorm):
            setattr(net, name, make(child))
        else:
            _swap_bn(child, make)


def per_image_grads(module: nn.Module, inp: torch.Tensor, gout: torch.Tensor) -> torch.Tensor:
    """Per-image weight gradients of a Conv2d (any ``groups``: dense, grouped, depthwise) or a
    Linear from the layer's input and the gradient at its output.

    The batch is folded into the channels as extra groups: image ``i``'s group ``j`` becomes
    group ``i * groups + j`` of one batch-of-one convolution, whose weight gradient (one
    convolution backward call) holds every image's gradient of every group, in image order.

    Args:
        module: the layer (its stride, padding, dilation and groups are read; not its weights).
        inp: the layer's input.
        gout: the gradient of the loss at the layer's output.

    Shapes:
        inp ``(B, C_in, H, W)`` or ``(B, in)``; gout ``(B, C_out, H', W')`` or ``(B, out)``;
        returns ``(B, *module.weight.shape)``.
    """
    b = inp.shape[0]
    if isinstance(module, nn.Linear):
        return torch.einsum("bo,bi->boi", gout, inp)
    if not isinstance(module, nn.Conv2d) or module.padding_mode != "zeros":
        raise ValueError(f"per-image gradients are implemented for Linear and zero-padded Conv2d, "
                         f"not {module!r}")
    c_out, c_in_group = module.weight.shape[:2]
    weight = torch.empty(b * c_out, c_in_group, *module.weight.shape[2:], device=inp.device,
                         dtype=inp.dtype)
    _, gw, _ = torch.ops.aten.convolution_backward(
        gout.reshape(1, b * c_out, *gout.shape[2:]),
        inp.reshape(1, b * inp.shape[1], *inp.shape[2:]),
        weight, None, module.stride, module.padding, module.dilation, False, [0, 0],
        b * module.groups, [False, True, False],
    )
    return gw.reshape(b, *module.weight.shape)


#: logits that differ between images by at most this much (relative to ``max(1, |logit|)``) under
#: per-image BN do not depend on the image: what is left is float rounding (1e-7 seen), where any
#: network that reads its input differs by 1e-2 or more (NB201, NB301, Macro samples)
IMAGE_INDEPENDENT_RTOL = 1e-5


def persample_pass(net: nn.Module, inputs: Inputs, features: set[str]) -> dict[str, Any]:
    """GradSign's per-image gradients (see the module docstring); also ``image_independent``:
    whether, with every BN normalising one image, the logits are the same for every image (up to
    ``IMAGE_INDEPENDENT_RTOL``). Then the gradients are rounding noise and are not formed
    (``gradsign`` NaN): a network whose every path to the global pooling ends in a BN (DARTS cells
    without a pooling op, every TransNAS network) pools each image's BN outputs to exactly the BN
    shift, as BN of one image has zero spatial mean per channel.
    """
    twin = copy.deepcopy(net)
    _swap_bn(twin, _PerImageBN)
    twin.train()
    for p in twin.parameters():
        p.requires_grad_(False)  # weight gradients are formed per image below, not summed
    score = [0.0]
    handles = []

    def hook(module: nn.Module, args: Any, out: torch.Tensor) -> None:
        saved = args[0].detach()

        def on_grad(gout: torch.Tensor) -> None:
            per = per_image_grads(module, saved, gout.detach())
            score[0] += float(per.sign().sum(0).abs().sum())

        out.register_hook(on_grad)

    handles = [m.register_forward_hook(hook) for m in weighted_layers(twin)]
    x = inputs.x.detach().clone().requires_grad_(True)
    try:
        logits = twin(x)
        spread = float((logits.detach() - logits.detach()[:1]).abs().max())
        scale = max(1.0, float(logits.detach().abs().max()))
        image_independent = spread <= IMAGE_INDEPENDENT_RTOL * scale
        if not image_independent:
            # the sum of per-image mean losses: each image's logits get exactly its own gradient
            F.cross_entropy(logits, inputs.y, reduction="sum").backward()
    finally:
        for h in handles:
            h.remove()
    return {"gradsign": float("nan") if image_independent else score[0],
            "image_independent": image_independent}


# -- synflow --------------------------------------------------------------------------------------
def _strip_bn(net: nn.Module) -> None:
    for name, child in list(net.named_children()):
        if isinstance(child, nn.modules.batchnorm._BatchNorm):
            setattr(net, name, nn.Identity())
        else:
            _strip_bn(child)


def synflow_pass(net: nn.Module, inputs: Inputs, features: set[str]) -> dict[str, Any]:
    twin = copy.deepcopy(net)
    _strip_bn(twin)
    twin = twin.double()
    with torch.no_grad():
        for p in twin.parameters():
            p.abs_()
    twin.zero_grad(set_to_none=True)
    ones = torch.ones((1, *inputs.x.shape[1:]), dtype=torch.float64, device=inputs.x.device)
    twin(ones).sum().backward()
    total = torch.zeros((), dtype=torch.float64)
    for m in weighted_layers(twin):
        if m.weight.grad is not None:
            total += (m.weight * m.weight.grad).abs().sum().detach()
    return {"synflow": float(total)}


# -- Zen-NAS --------------------------------------------------------------------------------------
def _pre_gap(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    if hasattr(net, "pre_gap"):
        return net.pre_gap(x)
    raise AttributeError(f"{type(net).__name__} has no pre_gap(x): Zen-NAS needs the map before pooling")


def zen_pass(net: nn.Module, inputs: Inputs, features: set[str]) -> dict[str, Any]:
    gen = _generator(inputs.seed, 3, inputs.x.device)
    twin = _copy(net)
    with torch.no_grad():
        for m in twin.modules():
            if isinstance(m, WEIGHTED):
                m.weight.normal_(0.0, 1.0, generator=gen)
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.modules.batchnorm._BatchNorm) and m.affine:
                m.weight.fill_(1.0)
                m.bias.zero_()
        twin.train()
        shape = inputs.x.shape
        a = torch.randn(shape, generator=gen, device=inputs.x.device)
        b = torch.randn(shape, generator=gen, device=inputs.x.device)
        out_a = _pre_gap(twin, a)
        out_b = _pre_gap(twin, a + 0.01 * b)
        diff = (out_a - out_b).abs().sum(dim=tuple(range(1, out_a.dim()))).mean()
        log_bn = 0.0
        for m in twin.modules():
            if isinstance(m, nn.BatchNorm2d) and m.running_var is not None:
                log_bn += float(torch.log(torch.sqrt(m.running_var.mean())))
    return {"zen": float(torch.log(diff)) + log_bn}


# -- AZ-NAS ---------------------------------------------------------------------------------------
def feature_blocks(net: nn.Module) -> list[nn.Module]:
    """The modules whose outputs AZ-NAS reads, in forward order: ``net.feature_blocks()`` (every
    builder in ``predictors.networks`` has one), else ``[net.stem, *net.cells]``.

    Raises:
        AttributeError: the network names neither.
    """
    if hasattr(net, "feature_blocks"):
        return list(net.feature_blocks())
    if hasattr(net, "stem") and hasattr(net, "cells"):
        return [net.stem, *net.cells]
    raise AttributeError(
        f"{type(net).__name__} has no feature_blocks() (nor stem / cells): AZ-NAS reads the "
        "outputs of the network's blocks"
    )


class _AllBlocksSeen(Exception):
    """Ends the forward pass once the last block has run: the head is not read."""


def block_features(net: nn.Module, blocks: list[nn.Module], x: torch.Tensor) -> list[torch.Tensor]:
    """The output of every block of ``blocks`` in one forward pass of ``net`` on ``x``.

    The first block's output is made a leaf that requires grad (the weights are fixed), so the
    features after it form one autograd graph that follows the network's real data flow; the
    pass stops after the last block.

    Raises:
        ValueError: a block runs more than once or out of order, or not at all.
    """
    feats: list[torch.Tensor] = []
    order = {id(m): i for i, m in enumerate(blocks)}

    def hook(module: nn.Module, args: Any, out: torch.Tensor) -> torch.Tensor | None:
        if order[id(module)] != len(feats):
            raise ValueError(
                f"{type(net).__name__}: feature block {order[id(module)]} "
                f"({type(module).__name__}) ran as call {len(feats)}; blocks must run once each, "
                "in order"
            )
        if not feats:
            out = out.detach().requires_grad_(True)
        feats.append(out)
        if len(feats) == len(blocks):
            raise _AllBlocksSeen
        return out

    handles = [m.register_forward_hook(hook) for m in blocks]
    try:
        net(x)
    except _AllBlocksSeen:
        pass
    finally:
        for h in handles:
            h.remove()
    if len(feats) != len(blocks):
        missing = len(blocks) - len(feats)
        raise ValueError(f"{type(net).__name__}: {missing} feature blocks never ran")
    return feats


def aznas_pass(net: nn.Module, inputs: Inputs, features: set[str]) -> dict[str, Any]:
    gen = _generator(inputs.seed, 4, inputs.x.device)
    twin = _copy(net)
    blocks = feature_blocks(twin)
    if len(blocks) < 2:
        raise ValueError(f"{type(net).__name__} has {len(blocks)} feature block: AZ-NAS needs two")
    with torch.no_grad():
        for m in twin.modules():
            if isinstance(m, WEIGHTED):
                std = float(np.sqrt(2.0 / nn.init._calculate_fan_in_and_fan_out(m.weight)[0]))
                m.weight.normal_(0.0, std, generator=gen)
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)) and m.affine:
                m.weight.fill_(1.0)
                m.bias.zero_()
    twin.train()
    for p in twin.parameters():
        p.requires_grad_(False)  # trainability needs feature gradients only
    x = torch.randn(inputs.x.shape, generator=gen, device=inputs.x.device)
    feats = block_features(twin, blocks, x)
    expressivity = []
    for f in feats:
        b, c, h, w = f.shape
        z = f.detach().permute(0, 2, 3, 1).reshape(b * h * w, c)
        z = z - z.mean(0, keepdim=True)
        # a covariance has no negative eigenvalue: the few rounding gives (rank-deficient
        # features, e.g. a 96-channel stem over 27 input values) are zero, not log(<0) = NaN
        s = torch.linalg.eigvalsh((z.T @ z / z.shape[0]).double()).clamp_min(0.0)
        p = s / s.sum()
        expressivity.append(float((-p * torch.log(p + 1e-8)).sum()))
    e = np.asarray(expressivity)
    scores = []
    for i in reversed(range(1, len(feats))):
        f_out, f_in = feats[i], feats[i - 1]
        # Rademacher signs (AZ-NAS draws them with bernoulli; randint is the same law, faster)
        g_out = torch.randint(0, 2, f_out.shape, generator=gen, device=f_out.device,
                              dtype=f_out.dtype).mul_(2).sub_(1)
        # every path from block i-1's output to block i's: in a chain the block itself; in a
        # DARTS cell the input it reads from the previous cell (the one from two cells back is
        # another pair's input, not followed)
        (g_in,) = torch.autograd.grad(f_out, f_in, grad_outputs=g_out, retain_graph=True)
        if g_out.shape == g_in.shape and torch.equal(g_in, g_out):
            scores.append(-np.inf)  # the cell is the identity (as AZ-NAS scores it)
            continue
        if g_out.shape[2:] != g_in.shape[2:]:
            g_in = F.pixel_unshuffle(g_in, g_in.shape[2] // g_out.shape[2])
        bo, co, ho, wo = g_out.shape
        go = g_out.permute(0, 2, 3, 1).reshape(-1, co)
        gi = g_in.permute(0, 2, 3, 1).reshape(-1, g_in.shape[1])
        mat = (gi.T @ go / (bo * ho * wo)).double()
        smax = float(torch.linalg.svdvals(mat).max())
        scores.append(-smax - 1.0 / (smax + 1e-6) + 2.0)
    return {
        "aznas": {
            "expressivity": float(e.sum()),
            "progressivity": float(np.min(e[1:] - e[:-1])),
            "trainability": float(np.mean(scores)),
        }
    }


#: pass name -> function(net, inputs, features) -> outputs; the runner calls them in this order
PASSES = {
    "static": static_pass,
    "single": single_pass,
    "data": data_pass,
    "data2": data2_pass,
    "persample": persample_pass,
    "synflow": synflow_pass,
    "zen": zen_pass,
    "aznas": aznas_pass,
}
