"""Sparse raw node features for the GNNs: the same products, computed on the non-zero entries.

Citation graphs carry wide, almost empty bag-of-words features (Cora: 2,708 x 1,433, 1.3 %
non-zero). Every NAS-Bench-Graph op that reads the raw input multiplies it by a weight matrix;
dense, that product and its weight gradient are the largest part of a Cora training epoch on a
CPU. This module computes them on the non-zero entries, with the same numbers to float rounding
(``benchmarks/gnn_sparse_input.py`` measures the saving and the difference):

* ``dropout(x, p, training)``: dropout of the input (each entry kept with probability ``1 - p``
  and scaled by ``1 / (1 - p)``, as ``F.dropout``), returning a tensor that carries its sparse twin
  (attribute ``_sparse_twin``): the non-zero pattern of ``x`` (found once per input tensor) with
  the dropped values. Only the non-zero entries are drawn (a dropped zero is zero): one uniform
  number each, against ``F.dropout``'s Bernoulli draw for every entry, which on Cora costs as
  much as an epoch's products of a hidden layer. So the distribution is ``F.dropout``'s but the
  random numbers are not: a run with ``sparse_input=False`` (``F.dropout``, as the benchmark's
  code) draws other masks from the same seed. With ``p = 0`` or in eval mode nothing is drawn and
  both paths compute the same numbers (the zero-cost proxies run there).
* ``sparse_aware(module)``: every ``Linear`` inside ``module`` (torch's or PyG's) multiplies an
  input that carries a twin by the twin (``torch.sparse.mm``), and an input it receives without
  one but that is wide, mostly empty and needs no gradient (an aggregation of the raw features in
  GIN, SAGE, GraphConv, Cheb) by its non-zero entries too; any other input as before. An input
  that needs a gradient (input-gradient proxies such as jacov) always takes the dense path, so
  the zero-cost proxies gain little from this. ``ARMAConv`` (one stack, one layer: the benchmark's
  op), which multiplies by its weights without a Linear, multiplies the twin the same way.

* ``sparse_aware(module, linear_first=True)``: the ops that aggregate the raw features before
  their Linear (``SAGEConv``, ``GINConv`` over one Linear, ``GraphConv``, ``ChebConv`` with K=2)
  apply that Linear's weight to the sparse twin first and aggregate the narrow product: the same
  function (aggregation by sum or mean and a Linear commute), other float rounding, and on Cora
  an aggregation over 256 columns instead of 1,433 (before, one such op reading the raw features
  added 240-370 ms to an epoch of training and evaluation over an ``fc`` in its place, a GCN
  21 ms; measured with other jobs on the machine). The Linear
  module is then not called, so forward hooks on it see nothing: the bank builder trains with it,
  the zero-cost proxies (which hook Linear outputs) do not.

Otherwise the aggregations stay dense. Only CPU tensors take the sparse path: it was measured on
a CPU, where a dense product of an almost empty matrix is the cost; on a GPU the dense product is
cheap.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import torch
from torch import Tensor, nn
from torch.nn import functional as F
from torch_geometric.nn import ARMAConv, ChebConv, GINConv, GraphConv, SAGEConv
from torch_geometric.nn.conv.gcn_conv import gcn_norm
from torch_geometric.nn.dense.linear import Linear as PygLinear

#: inputs narrower than this, or denser than ``MAX_DENSITY``, stay dense (a sparse product only
#: pays on wide, mostly empty features; TU graph features are a few dozen wide)
MIN_WIDTH = 256
MAX_DENSITY = 0.1

_dense_only = [False]


@contextlib.contextmanager
def dense_products() -> Iterator[None]:
    """Inside it every product is dense: for counting an architecture's multiply-adds (the
    FLOPs proxy's ``FlopCounterMode`` counts dense products only)."""
    before, _dense_only[0] = _dense_only[0], True
    try:
        yield
    finally:
        _dense_only[0] = before


def _nonzero(x: Tensor) -> tuple[Tensor, Tensor] | None:
    """``(indices (2, nnz), values (nnz,))`` of a 2-D input worth a sparse product, else None;
    cached on the tensor (graph features are one tensor for a whole training run)."""
    if _dense_only[0]:
        return None
    # inference tensors have no version counter: found again each time, never cached
    version = None if x.is_inference() else x._version
    cached = getattr(x, "_nonzero_entries", False)
    if cached is not False and version is not None and cached[0] == version:
        return cached[1]
    found = None
    # a GPU multiplies the dense matrix faster than it gathers the entries: CPU only
    if (x.device.type == "cpu" and x.dim() == 2 and x.shape[1] >= MIN_WIDTH
            and not x.requires_grad and not x.is_sparse):
        idx = x.nonzero().t()
        if idx.shape[1] <= MAX_DENSITY * x.numel():
            found = (idx, x[idx[0], idx[1]])
    x._nonzero_entries = (version, found)
    return found


def _twin(idx: Tensor, values: Tensor, shape: torch.Size) -> Tensor:
    # CSR: on a CPU its product with a dense (transposed) weight runs 2.6-4x faster than COO's,
    # forward and backward, with the same sums; row-major indices from nonzero() are already
    # sorted and unique, so no coalescing
    coo = torch.sparse_coo_tensor(idx, values, shape, is_coalesced=True, check_invariants=False)
    with warnings.catch_warnings():  # "CSR support is in beta": the product used here is not
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        return coo.to_sparse_csr()


def dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """Dropout of ``x`` with probability ``p`` (module docstring), carrying its sparse twin when
    ``x`` is worth a sparse product: the non-zero entries of ``x``, a dropped one kept as an
    explicit zero (the pattern is computed once per input tensor). Other inputs: ``F.dropout``."""
    entries = _nonzero(x)
    if entries is None:
        return F.dropout(x, p=p, training=training)
    idx, values = entries
    if training and p > 0:
        keep = torch.rand(values.shape, dtype=values.dtype, device=values.device) >= p
        values = values * keep / (1 - p) if p < 1 else torch.zeros_like(values)
        out = torch.zeros_like(x).index_put_((idx[0], idx[1]), values)
    else:
        out = x.view_as(x)  # another tensor object on the same memory: the twin must not ride on x
    out._sparse_twin = _twin(idx, values, x.shape)
    return out


def _twin_of(x: Tensor) -> Tensor | None:
    """The sparse twin to multiply in place of ``x``: the one it carries, else its non-zero
    entries when it is worth a sparse product, else None (multiply ``x`` itself)."""
    if _dense_only[0]:
        return None
    twin = getattr(x, "_sparse_twin", None)
    if twin is None:
        entries = _nonzero(x)
        twin = None if entries is None else _twin(*entries, x.shape)
    return twin


class _SparseAware:
    """Mixed into a Linear class: an input carrying a sparse twin is multiplied by the twin."""

    def forward(self, x: Tensor) -> Tensor:
        # without a twin: e.g. an aggregation of the raw features (SAGE, GraphConv, GIN, Cheb)
        twin = _twin_of(x)
        if twin is None:
            return super().forward(x)
        out = torch.sparse.mm(twin, self.weight.t())
        return out if self.bias is None else out + self.bias


class SparseAwareLinear(_SparseAware, nn.Linear):
    """``torch.nn.Linear`` that multiplies an input's sparse twin when it has one."""


class SparseAwarePygLinear(_SparseAware, PygLinear):
    """PyG's ``Linear`` that multiplies an input's sparse twin when it has one."""


class SparseAwareARMA(ARMAConv):
    """PyG's ``ARMAConv`` that multiplies an input's sparse twin by its initial and root weights
    (one stack, one layer, no dropout of its own: the NAS-Bench-Graph op); otherwise as before.
    The same sums as ``ARMAConv.forward`` on that path, in the order of a sparse product."""

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        twin = _twin_of(x) if (self.num_stacks, self.num_layers, self.dropout) == (1, 1, 0) else None
        if twin is None or not isinstance(edge_index, Tensor):
            return super().forward(x, edge_index, edge_weight)
        edge_index, edge_weight = gcn_norm(edge_index, edge_weight, x.size(self.node_dim),
                                           add_self_loops=False, flow=self.flow, dtype=x.dtype)
        out = torch.sparse.mm(twin, self.init_weight[0]).unsqueeze(-3)
        out = self.propagate(edge_index, x=out, edge_weight=edge_weight)
        out = out + torch.sparse.mm(twin, self.root_weight[0, 0]).unsqueeze(-3)
        if self.bias is not None:
            out = out + self.bias[0]
        if self.act is not None:
            out = self.act(out)
        return out.mean(dim=-3)


def _first(twin: Tensor, linear: nn.Module) -> Tensor:
    """The raw features' twin times ``linear``'s weight (no bias): what a linear-first op
    aggregates."""
    return torch.sparse.mm(twin, linear.weight.t())


def _plus_bias(out: Tensor, linear: nn.Module) -> Tensor:
    return out if linear.bias is None else out + linear.bias


class LinearFirstSAGE(SAGEConv):
    """``SAGEConv`` that applies ``lin_l`` before the mean over neighbours when the input has a
    sparse twin (module docstring); otherwise as before."""

    def forward(self, x: Tensor, edge_index: Tensor, size: tuple[int, int] | None = None) -> Tensor:
        ok = isinstance(x, Tensor) and not (self.project or self.normalize) \
            and self.aggr in ("mean", "add", "sum")
        twin = _twin_of(x) if ok else None
        if twin is None:
            return super().forward(x, edge_index, size)
        h = _first(twin, self.lin_l)
        out = _plus_bias(self.propagate(edge_index, x=(h, h), size=size), self.lin_l)
        return out + self.lin_r(x) if self.root_weight else out


class LinearFirstGIN(GINConv):
    """``GINConv`` over one Linear that applies it before the sum over neighbours when the input
    has a sparse twin: ``W((1 + eps) x + sum x_j) + b = (1 + eps) xW + sum x_jW + b``."""

    def forward(self, x: Tensor, edge_index: Tensor, size: tuple[int, int] | None = None) -> Tensor:
        ok = isinstance(x, Tensor) and isinstance(self.nn, nn.Linear) and self.aggr in ("add", "sum")
        twin = _twin_of(x) if ok else None
        if twin is None:
            return super().forward(x, edge_index, size)
        h = _first(twin, self.nn)
        return _plus_bias(self.propagate(edge_index, x=(h, h), size=size) + (1 + self.eps) * h,
                          self.nn)


class LinearFirstGraphConv(GraphConv):
    """``GraphConv`` that applies ``lin_rel`` before the sum over neighbours when the input has a
    sparse twin; ``lin_root`` multiplies the twin as any sparse-aware Linear."""

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None,
                size: tuple[int, int] | None = None) -> Tensor:
        ok = isinstance(x, Tensor) and self.aggr in ("mean", "add", "sum")
        twin = _twin_of(x) if ok else None
        if twin is None:
            return super().forward(x, edge_index, edge_weight, size)
        h = _first(twin, self.lin_rel)
        out = self.propagate(edge_index, x=(h, h), edge_weight=edge_weight, size=size)
        return _plus_bias(out, self.lin_rel) + self.lin_root(x)


class LinearFirstCheb(ChebConv):
    """``ChebConv`` with K=2 that applies ``lins[1]`` before the scaled Laplacian when the input
    has a sparse twin: ``lins[0](x) + lins[1](L x) + bias`` with ``lins[1](L x) = L (x W1)``."""

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None,
                batch: Tensor | None = None, lambda_max: Tensor | None = None) -> Tensor:
        twin = _twin_of(x) if len(self.lins) == 2 and self.lins[1].bias is None else None
        if twin is None:
            return super().forward(x, edge_index, edge_weight, batch, lambda_max)
        edge_index, norm = self.__norm__(edge_index, x.size(self.node_dim), edge_weight,
                                         self.normalization, lambda_max, dtype=x.dtype, batch=batch)
        out = self.lins[0](x) + self.propagate(edge_index, x=_first(twin, self.lins[1]), norm=norm)
        return out if self.bias is None else out + self.bias


_SPARSE_AWARE = {nn.Linear: SparseAwareLinear, PygLinear: SparseAwarePygLinear,
                 ARMAConv: SparseAwareARMA}
_LINEAR_FIRST = {SAGEConv: LinearFirstSAGE, GINConv: LinearFirstGIN, GraphConv: LinearFirstGraphConv,
                 ChebConv: LinearFirstCheb}


def sparse_aware(module: nn.Module, linear_first: bool = False) -> nn.Module:
    """``module`` with every Linear inside it (torch's or PyG's) and every ``ARMAConv`` made
    sparse-aware, in place; with ``linear_first`` also the aggregating convs (module docstring).

    The module keeps its parameters, state dict and initialisation; only its class changes (to a
    subclass of its own), so copies and pickles keep the behaviour.
    """
    swap = {**_SPARSE_AWARE, **(_LINEAR_FIRST if linear_first else {})}
    for m in module.modules():
        if type(m) in swap:
            m.__class__ = swap[type(m)]
    return module
