"""The fused runner: all requested proxies of one network from one run of each shared pass.

::

    >>> from predictors.zero_cost import runner
    >>> inputs = runner.cifar10_inputs(batch_size=64, seed=0)
    >>> result = runner.compute_arch("nb201", 6111, "cifar10", inputs, proxies="all", seed=0)
    >>> result.values["synflow"], result.reasons          # reasons: {name: why NaN}

``compute(net, inputs, proxies)`` groups the proxies by the passes they need
(``predictors.zero_cost.passes``), runs each pass once with the union of the features asked of it,
and scores every proxy from the pass outputs. NASLib and zero-cost-nas instead run a fresh set of
forward / backward passes per proxy. A value that is undefined (a proxy raising ``Undefined``, a
pass failing, a non-finite number, or an input-dependent proxy on a network whose output ignores
its input) is NaN with a reason in ``Result.reasons``.

Graphs: with ``graph_inputs(dataset)`` (a ``graph_passes.GraphInputs``: Cora or CiteSeer, the
public split's training nodes as the batch) the runner runs ``graph_passes.PASSES`` instead of the
image passes; the proxies score them unchanged (the per-proxy graph conventions are listed in
``predictors.zero_cost.graph_passes``). A pass that has no meaning for an input raises
``Undefined``; its proxies are NaN with that reason.

Determinism: ``compute_arch`` builds the network under ``torch.manual_seed(seed)`` (the default
PyTorch init the benchmarks' proxy code uses), and every pass draws its random numbers from its
own generator seeded from ``seed``; the same arch, inputs and seed give the same numbers, serial
or in parallel processes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import torch

from nasbench.errors import check_int
from predictors.zero_cost import passes as _passes
from predictors.zero_cost.base import Proxy, Undefined
from predictors.zero_cost.registry import get

#: the images proxies see by default (recorded in the table's description)
DEFAULT_DATA = "CIFAR-10 (JPEG q75) train images, class-balanced batch"
CONSTANT_OUTPUT = "the network's output does not depend on its input"
POPULATION = "a rank aggregate over a population of networks: the table computes it from the components"


#: start of the reason recorded for a value that came out NaN or infinite (``table.redo_nonfinite``
#: recomputes exactly these)
NON_FINITE = "non-finite value"


@dataclass
class Result:
    """Proxy values of one network.

    Attributes:
        values: metric name -> value (``"synflow"``, and components as ``"az_nas.expressivity"``);
            NaN where undefined.
        reasons: metric name -> why it is NaN (only NaN entries have one).
        seconds: wall time of each pass.
    """

    values: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _plan(
    proxies: Iterable[Proxy], table: dict | None = None, merged: dict[str, str] | None = None
) -> dict[str, set[str]]:
    table = _passes.PASSES if table is None else table
    merged = merged or {}
    plan: dict[str, set[str]] = {}
    for p in proxies:
        for pass_name in p.passes:
            plan.setdefault(merged.get(pass_name, pass_name), set()).update(p.features(pass_name))
    if any(p.input_dependent for p in proxies) and "data" not in plan:
        plan["data"] = set()
    if "data" in plan:
        plan["data"].add("constant")
    return {name: plan[name] for name in table if name in plan}


def _pass_table(inputs: Any) -> tuple[dict, dict[str, str]]:
    """The passes for this kind of input and which pass names share another pass's run."""
    from predictors.zero_cost import graph_passes

    if isinstance(inputs, graph_passes.GraphInputs):
        return graph_passes.PASSES, graph_passes.MERGED
    return _passes.PASSES, {}


def _store(result: Result, proxy: Proxy, value: Any) -> None:
    items = value.items() if isinstance(value, dict) else [("", value)]
    for suffix, v in items:
        key = proxy.name if not suffix else f"{proxy.name}.{suffix}"
        v = float(v)
        result.values[key] = v if math.isfinite(v) else float("nan")
        if not math.isfinite(v):
            result.reasons[key] = f"{NON_FINITE} ({v})"


def _fail(result: Result, proxy: Proxy, reason: str) -> None:
    result.values[proxy.name] = float("nan")
    result.reasons[proxy.name] = reason
    for c in proxy.components:
        result.values[f"{proxy.name}.{c}"] = float("nan")
        result.reasons[f"{proxy.name}.{c}"] = reason


def compute(
    net: torch.nn.Module,
    inputs: _passes.Inputs,
    proxies: str | list[str] | None = "all",
) -> Result:
    """All requested proxies of ``net`` from one run of each shared pass.

    Args:
        net: the network at initialisation (it is not trained; passes that re-initialise work on
            copies, so ``net``'s weights are unchanged; BN running statistics are updated).
        inputs: the batches and seed (``passes.Inputs``), or a graph and its batch nodes
            (``graph_passes.GraphInputs``, for NAS-Bench-Graph networks: the graph passes run).
        proxies: names, a comma-separated string, or ``"all"``.
    """
    wanted = get(proxies)
    result = Result()
    outputs: dict[str, Any] = {}
    failed: dict[str, str] = {}
    table, merged = _pass_table(inputs)
    for name, features in _plan(wanted, table, merged).items():
        t0 = time.perf_counter()
        try:
            outputs[name] = table[name](net, inputs, features)
        except Undefined as why:  # the pass has no meaning for this input (e.g. on a graph)
            failed[name] = str(why)
        except (RuntimeError, ValueError, AttributeError, torch.linalg.LinAlgError) as err:
            failed[name] = f"pass {name!r} failed: {type(err).__name__}: {str(err)[:200]}"
        result.seconds[name] = time.perf_counter() - t0
    for alias, host in merged.items():
        if host in outputs:
            outputs[alias] = outputs[host]
        elif host in failed:
            failed[alias] = failed[host]
    constant = bool(outputs.get("data", {}).get("constant", False))
    for proxy in wanted:
        broken = [failed[p] for p in proxy.passes if p in failed]
        if broken:
            _fail(result, proxy, broken[0])
        elif proxy.input_dependent and constant:
            _fail(result, proxy, CONSTANT_OUTPUT)
        else:
            try:
                _store(result, proxy, proxy.score(outputs))
                if proxy.components and proxy.name not in result.values:
                    result.values[proxy.name] = float("nan")
                    result.reasons[proxy.name] = POPULATION
            except Undefined as why:
                _fail(result, proxy, str(why))
    return result


def cifar10_inputs(
    batch_size: int = 64, seed: int = 0, num_classes: int = 10, device: Any = None
) -> _passes.Inputs:
    """Two disjoint class-balanced CIFAR-10 (JPEG q75) train batches for ``seed``.

    The first batch feeds every data proxy; the second only ZiCo (which reads gradients of two
    batches). Images are normalised with the NB201 mean / std.

    Raises:
        ValueError: ``batch_size`` below 2 or ``seed`` below 0 (``InvalidArgumentError``); more
            than the 50,000 training images asked for (``datasets.batch``).
    """
    from predictors import datasets

    check_int("batch_size", batch_size, low=2)
    check_int("seed", seed)

    x, y = datasets.batch("cifar10", 2 * batch_size, seed=seed, device=device)
    return _passes.Inputs(
        x=x[:batch_size], y=y[:batch_size], x2=x[batch_size:], y2=y[batch_size:],
        num_classes=num_classes, seed=seed,
    )


#: graph datasets proxies can run on (local Planetoid files; ``predictors.networks.graph_data``)
GRAPH_DATASETS = ("cora", "citeseer")


def graph_inputs(dataset: str, seed: int = 0, device: Any = None, folder: Any = None) -> Any:
    """A graph (``cora`` or ``citeseer``) and its public split's training nodes as the proxies'
    batch (``graph_passes.GraphInputs``); raw node features, as NAS-Bench-Graph loaded them.

    Raises:
        KeyError: not a graph dataset here (the message lists them).
        FileNotFoundError: the Planetoid files are missing.
        ValueError: ``seed`` not an int >= 0 (``InvalidArgumentError``).
    """
    from predictors.networks import graph_data
    from predictors.networks.nbgraph import HPARAMS
    from predictors.zero_cost.graph_passes import GraphInputs

    check_int("seed", seed)

    if dataset not in GRAPH_DATASETS:
        raise KeyError(f"no graph inputs for {dataset!r}; use one of {', '.join(GRAPH_DATASETS)}")
    data = graph_data.load(dataset)
    nodes = torch.nonzero(data.train_mask).flatten()
    return GraphInputs(
        x=data.x.to(device), edge_index=data.edge_index.to(device), y=data.y.to(device),
        nodes=nodes.to(device), num_classes=HPARAMS[dataset][1], seed=seed, name=dataset,
    )


def check_dataset(space: str, dataset: str) -> None:
    """Refuse a dataset the space's networks cannot run on here, naming the ones they can.

    Raises:
        KeyError: an unknown image dataset (``predictors.networks.dataset_info``'s message).
        ValueError: a graph dataset for an image space, or the other way round.
    """
    from predictors.networks import dataset_info

    if space == "nbgraph":
        if dataset not in GRAPH_DATASETS:
            raise ValueError(
                f"--dataset {dataset!r}: NAS-Bench-Graph proxies run on a local graph; use one "
                f"of {', '.join(GRAPH_DATASETS)}"
            )
        return
    if dataset in GRAPH_DATASETS:
        raise ValueError(f"--dataset {dataset!r} is a graph: only nbgraph networks run on it")
    if space in ("transnas_micro", "transnas_macro"):
        # also their classification tasks (class_object, class_scene), on CIFAR-10 images at the
        # task's input size (predictors.zero_cost.table)
        from predictors.networks.transnas_macro import task_info

        task_info(dataset)
        return
    dataset_info(dataset)


def describe_inputs(dataset: str, batch_size: int, seed: int) -> str:
    """What the proxies of a run on ``dataset`` read, in words (for a results manifest)."""
    if dataset in GRAPH_DATASETS:
        return (
            f"the {dataset} graph (Planetoid public split, raw node features), whole-graph "
            "forward passes with BatchNorm1d over every node; the batch is the public split's "
            "training nodes (nodes play the role of images; ZiCo: two class-balanced halves of "
            "them; MeCo: the whole graph as its one data); Zen and AZ-NAS read Gaussian node "
            "features, synflow all-ones node features; GradSign is undefined on a graph (NaN); "
            "see predictors/zero_cost/graph_passes.py"
        )
    return (
        "CIFAR-10 (JPEG q75) train images, two class-balanced batches "
        f"(predictors.datasets.batch('cifar10', {2 * batch_size}, seed={seed})): "
        "the first for every data proxy, the second for ZiCo only; MeCo reads its first "
        "image; Zen and AZ-NAS read Gaussian noise; synflow an all-ones image"
    )


def compute_arch(
    space: str,
    arch: Any,
    dataset: str,
    inputs: _passes.Inputs,
    proxies: str | list[str] | None = "all",
    seed: int = 0,
    device: Any = None,
    **build_kwargs: Any,
) -> Result:
    """Build ``arch``'s network (``predictors.networks.build``) under ``torch.manual_seed(seed)``
    and compute the proxies on it."""
    from predictors import networks

    torch.manual_seed(seed)
    net = networks.build(space, arch, dataset, **build_kwargs)
    if device is not None:
        net = net.to(device)
    return compute(net, inputs, proxies)
