"""The shared passes on a graph: the NAS-Bench-Graph GNNs run on one real graph (Cora, CiteSeer).

The image passes (``predictors.zero_cost.passes``) read a batch of images; a node-classification
GNN reads one whole graph, so here **nodes play the role of images**: the network runs on the full
graph (every node, every edge, BatchNorm1d statistics over all nodes, as the benchmark trained it
full-batch) and the "batch" is the set of labelled training nodes of the public split (Cora: 140
nodes, 20 per class; CiteSeer: 120), whose logits, labels and per-node rows the proxies read. The
passes have the image passes' names and features, so the proxy modules score them unchanged
(``GRAPH_CONVENTIONS`` lists the per-proxy convention). No published table of zero-cost proxies
on NAS-Bench-Graph exists to match: this is the project's own convention.

Passes and features (``"<pass>:<feature>"``):

``static`` - ``net``, untouched; ``weights`` (``graph_weights(net)``, read by l2_norm).

``single`` - merged into ``data`` (``MERGED``): on a graph the "one data" of MeCo is the graph
    itself, so the forward MeCo and FLOPs read is the data pass's forward (same net, mode, input).
    ``macs``: multiply-adds of the dense matrix products of one forward over the whole graph
    (``torch.utils.flop_counter``, FLOPs / 2; the sparse neighbourhood sums are not counted);
    ``meco``: per module call whose output is a ``(N, C)`` node matrix (PyG's internal
    neighbourhood aggregations excepted), the smallest eigenvalue of the ``C x C`` channel
    correlation over the nodes.

``data`` - the whole graph, train-mode BN, default init, cross-entropy over the batch nodes:
    ``jacobian`` (rows of ``d sum(batch logits) / d x`` at the batch nodes: a node's row also
    holds the small share that reaches it through other batch nodes' neighbourhoods, as an image's
    does through train-mode BN), ``grad`` / ``hvp`` (of every weight: see ``graph_weights``),
    ``fisher`` (per channel of every Linear output, ``0.5 * mean_nodes (a g)^2`` times the
    layer's fan-in), ``codes`` (the sign pattern at the batch nodes of every ReLU input: the
    network's functional ``F.relu`` calls after each BatchNorm1d and before the cell's output
    Linear, and ARMA's ``ReLU``), ``constant``.

``data2`` - ZiCo's two batches: the batch nodes split into two class-balanced halves (per class,
    nodes in index order, alternately), one forward, one backward per half: ``grad`` (second half)
    and ``grad_first`` (first half).

``persample`` - undefined on a graph: a node's loss depends on its neighbourhood and on BN
    statistics over every node, so per-node gradients do not separate as per-image ones do; they
    would take one backward pass per batch node (140). GradSign is NaN with that reason.

``synflow`` - a float64 copy without BN, every parameter made positive, all-ones node features,
    ``R = sum`` of every node's logits: ``synflow`` (``|w * dR/dw|`` over ``graph_weights``).

``zen`` - a copy with N(0, 1) weights, Gaussian node features ``a`` and ``a + 0.01 b`` for every
    node, train-mode BN; ``f`` is the cell output the classifier head reads (the input of the
    cell's output Linear ``fc``), the difference summed over channels and averaged over nodes, plus
    ``sum_BN log sqrt(mean running_var)`` over the BatchNorm1d layers that ran.

``aznas`` - a copy with Kaiming-normal fan-in weights, Gaussian node features, train-mode BN; the
    features are the cell input and the output of every op that is not ``skip`` (a skip repeats
    its input); progressivity and trainability run over the cell's edges (an op's input ->
    its output) instead of a chain of cells.

Every random draw comes from a ``torch.Generator`` seeded from the run's seed and the pass, as for
images.

Per-proxy conventions on a graph (``GRAPH_CONVENTIONS``):

==========  ==========================================================================================
proxy       graph convention
==========  ==========================================================================================
grad_norm   sum over weights of ``||dL/dW||``; L = mean CE over the batch (training) nodes
snip        ``sum |W dL/dW|``, same loss
grasp       ``-sum W (H g)``, same loss
fisher      Linear outputs (nn.Linear and PyG Linear; ARMA's raw weight tensors have no such module
            and add nothing), per channel ``0.5 mean_nodes (a g)^2`` x fan-in
synflow     float64, BN removed, ``|params|``, all-ones node features, R = sum of all nodes' logits
jacov       rows of ``d sum(batch logits)/dx`` at the batch nodes, their correlation eigenvalues
nwot        Hamming kernel of the batch nodes' ReLU sign patterns
epe_nas     Jacobian rows grouped by the batch nodes' labels
zen         N(0,1) weights, Gaussian node features, f = the cell output before the head, mean over nodes
plain       ``sum W dL/dW``
l2_norm     sum over weights of ``||W||``
params      every trainable parameter (equals NAS-Bench-Graph's published ``para``)
flops       dense multiply-adds of one forward over the whole graph (all nodes), millions
gradsign    NaN: per-node gradients do not separate on a graph (see ``persample``)
zico        two class-balanced halves of the batch nodes as its two batches
meco        the whole graph as the one data: channel correlation over nodes, every (N, C) module output
az_nas      components over the cell input and non-skip op outputs, edges of the cell as the steps
swap        distinct sign patterns over the batch nodes per ReLU unit
==========  ==========================================================================================

"Weights" (``graph_weights``): every parameter except biases and BatchNorm affine parameters (the
image passes' Conv2d / Linear weights have no graph counterpart in PyG's message-passing layers,
whose weights live in PyG ``Linear`` modules, in ARMA's raw tensors and in GAT's attention vectors).
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

from predictors.zero_cost.base import Undefined
from predictors.zero_cost.passes import (
    _copy,
    _generator,
    _gradient_features,
    _min_corr_eig,
    _strip_bn,
)

GRADSIGN_UNDEFINED = (
    "per-node gradients do not separate on a graph (a node's loss depends on its neighbourhood and "
    "on BN statistics over every node): GradSign would need one backward pass per batch node"
)

#: proxy -> its convention on a graph (the module docstring's table, for the store's metadata)
GRAPH_CONVENTIONS: dict[str, str] = {
    "grad_norm": "sum over weights of ||dL/dW||; L = mean CE over the training nodes",
    "snip": "sum |W dL/dW|; L = mean CE over the training nodes",
    "grasp": "-sum W (H g); L = mean CE over the training nodes",
    "fisher": "Linear outputs, per channel 0.5 mean_nodes (a g)^2 x fan-in",
    "synflow": "float64, BN removed, |params|, all-ones node features, R = sum of all logits",
    "jacov": "rows of d sum(training-node logits)/dx at the training nodes",
    "nwot": "Hamming kernel of the training nodes' ReLU sign patterns",
    "epe_nas": "Jacobian rows of the training nodes grouped by label",
    "zen": "N(0,1) weights, Gaussian node features, f = cell output before the head",
    "plain": "sum W dL/dW; L = mean CE over the training nodes",
    "l2_norm": "sum over weights of ||W||",
    "params": "every trainable parameter, millions",
    "flops": "dense multiply-adds of one forward over the whole graph, millions",
    "gradsign": "undefined on a graph (NaN): " + GRADSIGN_UNDEFINED,
    "zico": "two class-balanced halves of the training nodes as the two batches",
    "meco": "the whole graph as the one data: channel correlation over nodes",
    "az_nas": "cell input and non-skip op outputs; the cell's edges as the steps",
    "swap": "distinct sign patterns over the training nodes per ReLU unit",
}


@dataclass
class GraphInputs:
    """One graph and the nodes that form the proxies' batch.

    Attributes:
        x: node features (raw, as the benchmark loaded them).
        edge_index: edges (both directions).
        y: labels of every node.
        nodes: the batch: the labelled training nodes of the public split, in index order.
        num_classes: classifier outputs.
        seed: seeds every random draw of the passes (``seed * 1000 + pass offset``).
        name: the graph's name (``"cora"``), for the record.

    Shapes:
        x: ``(N, F)``; edge_index: ``(2, E)``; y: ``(N,)``; nodes: ``(B,)`` long.
    """

    x: torch.Tensor
    edge_index: torch.Tensor
    y: torch.Tensor
    nodes: torch.Tensor
    num_classes: int
    seed: int = 0
    name: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def halves(self) -> tuple[torch.Tensor, torch.Tensor]:
        """ZiCo's two batches: per class, the batch nodes in index order taken alternately."""
        labels = self.y[self.nodes]
        first, second = [], []
        for c in torch.unique(labels):
            members = self.nodes[labels == c]
            first.append(members[0::2])
            second.append(members[1::2])
        return torch.sort(torch.cat(first)).values, torch.sort(torch.cat(second)).values


def graph_weights(net: nn.Module) -> list[torch.nn.Parameter]:
    """Every parameter of ``net`` except biases and BatchNorm affine parameters, in module order."""
    out = []
    for m in net.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            continue
        out += [p for name, p in m.named_parameters(recurse=False) if name != "bias"]
    return out


def _linear_types() -> tuple[type, ...]:
    from torch_geometric.nn.dense.linear import Linear as PygLinear

    return (nn.Linear, PygLinear)


def _fan_in(module: nn.Module, name: str, p: torch.Tensor) -> int:
    """The size of the dimension a weight is contracted with the input over."""
    if isinstance(module, _linear_types()):
        return int(p.shape[1])
    if p.dim() >= 3 and type(module).__name__ == "ARMAConv":
        return int(p.shape[-2])  # x @ W with W (..., in, out)
    return int(p.shape[-1])  # GAT's attention vectors (1, heads, channels)


def _node_rows(t: torch.Tensor, n: int, rows: torch.Tensor) -> torch.Tensor | None:
    """``t``'s values at nodes ``rows`` as ``(len(rows), features)``; None if ``t`` is not per-node."""
    if t.dim() < 2 or t.shape[-2] != n:
        return None
    return t.movedim(-2, 0).reshape(n, -1)[rows]


_RELUS = (F.relu, F.relu_, torch.relu, torch.relu_, torch.Tensor.relu, torch.Tensor.relu_)


class _ReluPatterns(TorchFunctionMode):
    """Records ``input > 0`` at the batch nodes for every ReLU call (module or functional)."""

    def __init__(self, n: int, rows: torch.Tensor) -> None:
        super().__init__()
        self.n, self.rows, self.codes = n, rows, []

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        if func in _RELUS:
            t = args[0] if args else kwargs["input"]
            code = _node_rows(t.detach() > 0, self.n, self.rows)
            if code is not None:
                self.codes.append(code)
        return func(*args, **kwargs)


# -- data (and single, merged into it) ------------------------------------------------------------
def _forward_data(
    net: nn.Module, inputs: GraphInputs, nodes: torch.Tensor, features: set[str]
) -> dict[str, Any]:
    from torch.utils.flop_counter import FlopCounterMode

    out: dict[str, Any] = {}
    n = inputs.x.shape[0]
    weights = graph_weights(net)
    acts: list[torch.Tensor] = []
    act_fans: list[int] = []
    outputs: list[torch.Tensor] = []
    handles = []
    if "fisher" in features:
        def act_hook(module: nn.Module, args: Any, o: torch.Tensor) -> None:
            acts.append(o)
            act_fans.append(int(module.weight.shape[1]))

        handles += [m.register_forward_hook(act_hook) for m in net.modules()
                    if isinstance(m, _linear_types())]
    if "meco" in features:
        from torch_geometric.nn.aggr import Aggregation

        def meco_hook(module: nn.Module, args: Any, o: Any) -> None:
            if isinstance(o, torch.Tensor) and o.dim() == 2 and o.shape[0] == n:
                outputs.append(o.detach())  # scored after the forward, outside the FLOP count

        # PyG's aggregation modules sum neighbours' features inside a layer (at the raw input's
        # width when a layer reads the input): not a layer output
        handles += [m.register_forward_hook(meco_hook) for m in net.modules()
                    if not isinstance(m, Aggregation)]
    relus = _ReluPatterns(n, nodes)
    counter = FlopCounterMode(display=False) if "macs" in features else None
    net.train()
    net.zero_grad(set_to_none=True)
    want_jac = "jacobian" in features
    x = inputs.x.detach().clone().requires_grad_(want_jac)
    try:
        with contextlib.ExitStack() as stack:
            if counter is not None:
                from predictors.networks.sparse_features import dense_products

                # the architecture's multiply-adds are its dense products, not our sparse ones
                stack.enter_context(dense_products())
                stack.enter_context(counter)
            if "codes" in features:
                stack.enter_context(relus)
            full = net(x, inputs.edge_index)
    finally:
        for h in handles:
            h.remove()
    logits = full[nodes]
    out["constant"] = bool((logits.detach() - logits.detach()[:1]).abs().max() == 0)
    if counter is not None:
        out["macs"] = counter.get_total_flops() / 2.0
    if "meco" in features:
        out["meco"] = [_min_corr_eig(o.T) for o in outputs]
    if "codes" in features:
        out["codes"] = relus.codes
    if want_jac:
        (jac,) = torch.autograd.grad(logits.sum(), x, retain_graph=True)
        out["jacobian"] = jac.detach()[nodes]
    if {"grad", "hvp", "fisher"} & features:
        loss = F.cross_entropy(logits, inputs.y[nodes])
        out.update(_gradient_features(loss, weights, acts, act_fans, features))
    return out


def data_pass(net: nn.Module, inputs: GraphInputs, features: set[str]) -> dict[str, Any]:
    out = _forward_data(net, inputs, inputs.nodes, features)
    out["labels"] = inputs.y[inputs.nodes]
    return out


def data2_pass(net: nn.Module, inputs: GraphInputs, features: set[str]) -> dict[str, Any]:
    first, second = inputs.halves()
    weights = graph_weights(net)
    net.train()
    net.zero_grad(set_to_none=True)
    full = net(inputs.x, inputs.edge_index)
    out: dict[str, Any] = {}
    for key, nodes in (("grad_first", first), ("grad", second)):
        loss = F.cross_entropy(full[nodes], inputs.y[nodes])
        grads = torch.autograd.grad(loss, weights, retain_graph=True, allow_unused=True)
        out[key] = [torch.zeros_like(w) if g is None else g.detach() for w, g in zip(weights, grads)]
    return out


def persample_pass(net: nn.Module, inputs: GraphInputs, features: set[str]) -> dict[str, Any]:
    raise Undefined(GRADSIGN_UNDEFINED)


# -- synflow --------------------------------------------------------------------------------------
def synflow_pass(net: nn.Module, inputs: GraphInputs, features: set[str]) -> dict[str, Any]:
    twin = copy.deepcopy(net)
    _strip_bn(twin)
    twin = twin.double()
    with torch.no_grad():
        for p in twin.parameters():
            p.abs_()
    twin.zero_grad(set_to_none=True)
    ones = torch.ones(inputs.x.shape, dtype=torch.float64, device=inputs.x.device)
    twin(ones, inputs.edge_index).sum().backward()
    total = torch.zeros((), dtype=torch.float64)
    for w in graph_weights(twin):
        if w.grad is not None:
            total += (w * w.grad).abs().sum().detach()
    return {"synflow": float(total)}


# -- Zen-NAS --------------------------------------------------------------------------------------
def _reinit(net: nn.Module, std: Any, gen: torch.Generator) -> None:
    """Re-initialise in place: BatchNorm to identity, biases to 0, every other parameter
    ``N(0, std(module, name, param)^2)`` from ``gen`` (Zen-NAS and AZ-NAS each fix their own)."""
    for m in net.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            if m.affine:
                m.weight.fill_(1.0)
                m.bias.zero_()
            continue
        for name, p in m.named_parameters(recurse=False):
            if name == "bias":
                p.zero_()
            else:
                p.normal_(0.0, std(m, name, p), generator=gen)


def zen_pass(net: nn.Module, inputs: GraphInputs, features: set[str]) -> dict[str, Any]:
    if not hasattr(net, "fc"):
        raise AttributeError(f"{type(net).__name__} has no fc: Zen-NAS reads the cell output before it")
    gen = _generator(inputs.seed, 3, inputs.x.device)
    twin = _copy(net)
    feats: list[torch.Tensor] = []
    with torch.no_grad():
        _reinit(twin, lambda m, name, p: 1.0, gen)
        twin.train()
        a = torch.randn(inputs.x.shape, generator=gen, device=inputs.x.device)
        b = torch.randn(inputs.x.shape, generator=gen, device=inputs.x.device)
        handle = twin.fc.register_forward_pre_hook(lambda m, args: feats.append(args[0]))
        try:
            twin(a, inputs.edge_index)
            twin(a + 0.01 * b, inputs.edge_index)
        finally:
            handle.remove()
        diff = (feats[0] - feats[1]).abs().sum(dim=1).mean()
        log_bn = 0.0
        for m in twin.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.running_var is not None:
                log_bn += float(torch.log(torch.sqrt(m.running_var.mean())))
    return {"zen": float(torch.log(diff)) + log_bn}


# -- AZ-NAS ---------------------------------------------------------------------------------------
def _entropy(f: torch.Tensor) -> float:
    """AZ-NAS expressivity of one feature: the entropy of the normalised eigenvalues of the channel
    covariance, nodes as samples. Shapes: ``f`` ``(N, C)``."""
    z = f.detach() - f.detach().mean(0, keepdim=True)
    s = torch.linalg.eigvalsh((z.T @ z / z.shape[0]).double())
    p = s / s.sum()
    return float((-p * torch.log(p + 1e-8)).sum())


def aznas_pass(net: nn.Module, inputs: GraphInputs, features: set[str]) -> dict[str, Any]:
    for attr in ("ops", "links", "bns", "raw", "prep"):
        if not hasattr(net, attr):
            raise AttributeError(f"{type(net).__name__} has no {attr}: AZ-NAS reads the cell's ops")
    gen = _generator(inputs.seed, 4, inputs.x.device)
    twin = _copy(net)
    with torch.no_grad():
        _reinit(twin, lambda m, name, p: float(np.sqrt(2.0 / _fan_in(m, name, p))), gen)
    twin.train()
    for p in twin.parameters():
        p.requires_grad_(False)  # trainability needs feature gradients only
    ei = inputs.edge_index
    x = torch.randn(inputs.x.shape, generator=gen, device=inputs.x.device).requires_grad_(True)
    # the network's forward up to the cell output, keeping every node's tensor (GraphNetwork)
    h = x
    for i, layer in enumerate(twin.prep):
        h = layer(h)
        if i == twin.num_pre - 2:
            h = F.elu(h)
    values = [h]
    for op, lk, bn in zip(twin.ops, twin.links, twin.bns):
        t = values[lk]
        if not twin.raw[lk]:
            t = F.dropout(F.relu(bn(t)), p=twin.dropout, training=True)
        values.append(op(t, ei))
    ops = [type(op).__name__ for op in twin.ops]
    # a skip node is its source's tensor: resolve every node to the last non-skip tensor
    source = list(range(len(values)))
    for i, lk in enumerate(twin.links):
        if ops[i] == "SkipOp":
            source[i + 1] = source[lk]
    edges = [(source[lk], i + 1) for i, lk in enumerate(twin.links) if ops[i] != "SkipOp"]
    if not edges:
        raise Undefined("the cell has no op other than skip")
    nodes = sorted({0} | {j for _, j in edges})
    cacheable = twin.num_pre == 0  # the cell input is then the same Gaussian draw for every net
    entropy = {}
    for j in nodes:
        key = ("aznas_input_entropy", tuple(x.shape), inputs.seed)
        if j == 0 and cacheable and key in inputs._cache:
            entropy[j] = inputs._cache[key]
            continue
        entropy[j] = _entropy(values[j])
        if j == 0 and cacheable:
            inputs._cache[key] = entropy[j]
    scores = []
    for src, dst in reversed(edges):
        f_out, f_in = values[dst], values[src]
        g_out = torch.randint(0, 2, f_out.shape, generator=gen, device=f_out.device,
                              dtype=f_out.dtype).mul_(2).sub_(1)
        (g_in,) = torch.autograd.grad(f_out, f_in, grad_outputs=g_out, retain_graph=True)
        mat = (g_in.T @ g_out / g_out.shape[0]).double()
        smax = float(torch.linalg.svdvals(mat).max())
        scores.append(-smax - 1.0 / (smax + 1e-6) + 2.0)
    return {
        "aznas": {
            "expressivity": float(sum(entropy.values())),
            "progressivity": float(min(entropy[d] - entropy[s] for s, d in edges)),
            "trainability": float(np.mean(scores)),
        }
    }


def static_pass(net: nn.Module, inputs: GraphInputs, features: set[str]) -> dict[str, Any]:
    return {"net": net, "weights": graph_weights(net)}


#: pass name -> function(net, inputs, features) -> outputs, in the order the runner calls them
PASSES = {
    "static": static_pass,
    "data": data_pass,
    "data2": data2_pass,
    "persample": persample_pass,
    "synflow": synflow_pass,
    "zen": zen_pass,
    "aznas": aznas_pass,
}

#: pass -> the pass that computes its features on a graph (and whose outputs it shares)
MERGED = {"single": "data"}
