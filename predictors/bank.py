"""Bank builder: train architectures with one fixed recipe; record accuracy and calibration.

``nasbench build-bank`` (:func:`main`) trains every architecture of a list on a real dataset with
a fixed, documented :class:`BankRecipe`, and records for each one

* per epoch: train / valid / test loss and accuracy (train: running mean over the epoch's
  augmented mini-batches in train mode, as NAS-Bench-201 records it; valid: held-out training
  images; test: the whole test split; both in eval mode);
* at the calibration epochs (default: every epoch, as the test logits are there anyway): every
  calibration column of the calibration bank (:func:`nasbench.calibration.metrics`) before
  temperature scaling on the full test split (``pre``) and after it (``post``: the temperature is
  fitted on a seeded 20 % of the test split and the metrics are measured on the other 80 %,
  exactly as Tao et al.'s bank does), the fitted temperature, and the OOD AUROC / AUPR of the
  predictive entropy against 2,000 MNIST digits (CIFAR-10 banks only);
* the parameter count and the training / evaluation wall time.

Results go to ``OUT/results.jsonl.gz`` (one JSON object per architecture; after
``PART_RECORDS`` records the next ones go to ``results-1.jsonl.gz`` and so on) next to
``OUT/recipe.json``. After every finished architecture the results file that changed is rewritten
atomically (the earlier, full ones are left as they are), so a killed run loses only the
architectures in flight and restarts where it stopped; running the
same command again trains nothing new (idempotent). A results folder made with another recipe is
refused (the differing fields are named). The store ``nb201_bank`` is built from the committed
results by the recipe ``nasbench/recipes/nb201_bank.py``.

Architectures: ``--archs N`` takes the first ``N`` of a seeded permutation of the space's
isomorphism-class representatives (NB201: the 6,466 non-isomorphic cells), after the best and the
worst known ones (``--extremes``, by NB201's 200-epoch CIFAR-10 test accuracy). The list for a
larger ``N`` extends the list for a smaller one, so a bank can be grown in later runs.

``--device cuda`` trains on a GPU; ``--scheduler ADDRESS`` sends architectures to a Dask
cluster (each task trains one architecture and returns its record; only this process writes).
A tqdm progress bar shows the ETA.

The default :class:`BankRecipe` is a *reduced* recipe sized for a small CPU machine (C=8, N=1
NB201 network, 16x16 inputs, 10,000 training images, 5 epochs); see its docstring.

Spaces and datasets: any space with a network builder in ``predictors.networks`` on CIFAR-10 or
MNIST (image classification, mini-batches), and NAS-Bench-Graph cells (``--space nbgraph``) on
Cora / CiteSeer (node classification, full batch on the public split); graph-level datasets
(``--dataset proteins`` / ``mutag`` / ``enzymes``, TU graph classification) train the same
NAS-Bench-Graph cells with a mean readout (see ``_train_tu``).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gzip
import io
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nasbench.errors import check_int
from nasbench.recipes._bank import PART_RECORDS, part_name, read_records
from predictors.parallel import imap_unordered

__all__ = [
    "BankRecipe",
    "RecipeMismatchError",
    "build_bank",
    "main",
    "read_recipe",
    "read_results",
    "select_archs",
    "train_arch",
]

RECIPE = "recipe.json"


class RecipeMismatchError(ValueError):
    """A results folder holds results made with a different recipe."""


@dataclass(frozen=True)
class BankRecipe:
    """The fixed training and evaluation recipe of a bank (stored with its results).

    Defaults (the committed ``nb201_bank``; a reduced recipe, not NAS-Bench-201's 200 epochs):

    * network: ``predictors.networks.build(space, arch, dataset, C=8, N=1)`` (NB201: stem, 1 cell
      per stage at 8 / 16 / 32 channels, two residual reduction blocks);
    * data: CIFAR-10 (JPEG q75, :mod:`predictors.datasets`), 10,000 class-balanced training images
      (data seed 0), 2,000 further training images as the validation split, the full 10,000-image
      test split; images area-downsampled to 16x16 and normalised with NB201's mean / std;
    * augmentation: random crop with ``resolution // 8`` pixels of zero padding and random
      horizontal flip (NB201's 32-pixel crop with padding 4, scaled);
    * optimiser: SGD, Nesterov momentum 0.9, weight decay 5e-4, learning rate 0.1 with a cosine
      schedule to 0 stepped every mini-batch, batch 128, cross-entropy, 5 epochs;
    * seed 777 for initialisation, batch order and augmentation (the same for every
      architecture, as NB201 trains each cell with the same seeds); one seed;
    * calibration: at every epoch; bank bin counts 5 ... 500; temperature split 20 % / seed 42.

    Attributes are the knobs of ``nasbench build-bank``; ``calib_epochs=()`` means every epoch;
    ``extra`` holds free-form notes stored with the recipe (compared like every other field).

    Graph datasets (``cora``, ``citeseer``; space ``nbgraph``, networks of
    ``predictors.networks.nbgraph``) train full-batch on the public Planetoid split (train /
    validation / test nodes), one optimiser step per epoch; ``resolution``, ``train_size``,
    ``valid_size``, ``batch_size``, ``augment`` and ``ood`` do not apply there.
    ``BankRecipe.benchmark("nbgraph", "cora")`` is NAS-Bench-Graph's own recipe for them.
    """

    space: str = "nb201"
    dataset: str = "cifar10"
    C: int = 8
    N: int = 1
    resolution: int = 16
    train_size: int = 10_000
    valid_size: int = 2_000
    test_size: int | None = None
    data_seed: int = 0
    epochs: int = 5
    batch_size: int = 128
    lr: float = 0.1
    momentum: float = 0.9
    nesterov: bool = True
    weight_decay: float = 5e-4
    schedule: str = "cosine"
    augment: bool = True
    seed: int = 777
    calib_epochs: tuple[int, ...] = ()
    bins: tuple[int, ...] = (5, 10, 15, 20, 25, 50, 100, 200, 500)
    ts_valid: float = 0.2
    ts_seed: int = 42
    ood: str = "mnist"
    ood_size: int = 2_000
    optimizer: str = "sgd"
    dropout: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.train_size < 1:
            raise ValueError("epochs, batch_size and train_size must be positive")
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(f"optimizer must be 'sgd' or 'adam'; got {self.optimizer!r}")
        if self.schedule not in ("cosine", "constant"):
            raise ValueError(f"schedule must be 'cosine' or 'constant'; got {self.schedule!r}")
        if self.optimizer == "sgd" and self.nesterov and self.momentum <= 0:
            raise ValueError("Nesterov SGD needs a momentum > 0; set momentum or nesterov=False "
                             "(--momentum M or --no-nesterov)")
        bad = [e for e in self.calib_epochs if not 1 <= e <= self.epochs]
        if bad:
            raise ValueError(f"calibration epochs {bad} outside 1..{self.epochs}")

    @classmethod
    def benchmark(cls, space: str, dataset: str, **fields: Any) -> BankRecipe:
        """The recipe the benchmark itself trained ``dataset`` with, where it is known.

        Only NAS-Bench-Graph on Cora / CiteSeer (``predictors.networks.nbgraph.TRAINING``): plain
        SGD at a constant learning rate, full batch, its weight decay, dropout and epochs.
        ``fields`` override any attribute (e.g. ``calib_epochs``).

        Raises:
            ValueError: no benchmark recipe is recorded for ``space`` / ``dataset``.
        """
        from predictors.networks.nbgraph import TRAINING

        if space != "nbgraph" or dataset not in TRAINING:
            known = ", ".join(f"nbgraph/{d}" for d in TRAINING)
            raise ValueError(f"no benchmark training recipe for {space}/{dataset}; known: {known}")
        optimizer, lr, weight_decay, dropout, epochs = TRAINING[dataset]
        base = dict(space=space, dataset=dataset, optimizer=optimizer, lr=lr, momentum=0.0,
                    nesterov=False, weight_decay=weight_decay, dropout=dropout, epochs=epochs,
                    schedule="constant")
        return cls(**{**base, **fields})

    @property
    def calibration_epochs(self) -> tuple[int, ...]:
        """The epochs (1-based) at which the calibration set is recorded."""
        return tuple(sorted(set(self.calib_epochs))) or tuple(range(1, self.epochs + 1))

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["calib_epochs"] = list(self.calib_epochs)
        d["bins"] = list(self.bins)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> BankRecipe:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown bank recipe field(s): {', '.join(unknown)}")
        d = dict(d)
        for key in ("calib_epochs", "bins"):
            if key in d:
                d[key] = tuple(d[key])
        return cls(**d)


# ---------------------------------------------------------------------------------------------
# data (cached per process: every architecture of a run sees the same tensors)
# ---------------------------------------------------------------------------------------------

_DATA: dict[tuple, dict[str, Any]] = {}


def _data(recipe: BankRecipe, device: str) -> dict[str, Any]:
    key = (recipe.dataset, recipe.resolution, recipe.train_size, recipe.valid_size,
           recipe.test_size, recipe.data_seed, recipe.ood, recipe.ood_size, device)
    if key in _DATA:
        return _DATA[key]
    import torch

    from predictors import datasets

    images, labels = datasets.load(
        recipe.dataset, "train", recipe.train_size + recipe.valid_size, seed=recipe.data_seed
    )
    x = datasets.to_tensor(images, recipe.dataset, resolution=recipe.resolution, device=device)
    y = torch.from_numpy(labels).to(device)
    ti, tl = datasets.load(recipe.dataset, "test", recipe.test_size, seed=recipe.data_seed)
    out = {
        "train": (x[: recipe.train_size], y[: recipe.train_size]),
        "valid": (x[recipe.train_size:], y[recipe.train_size:]),
        "test": (datasets.to_tensor(ti, recipe.dataset, resolution=recipe.resolution, device=device),
                 torch.from_numpy(tl).to(device)),
        "ood": None,
    }
    if recipe.ood == "mnist" and recipe.dataset == "cifar10":
        # MNIST digits as 3-channel images, normalised like the CIFAR-10 inputs
        oi, _ = datasets.load("mnist", "test", recipe.ood_size, seed=recipe.data_seed)
        rgb = np.repeat(oi[..., None], 3, axis=-1)
        out["ood"] = datasets.to_tensor(rgb, "cifar10", resolution=recipe.resolution, device=device)
    _DATA[key] = out
    return out


def _augment(x: Any, pad: int, gen: Any) -> Any:
    """Random crop (zero padding ``pad``) and horizontal flip, per sample.

    Shapes:
        x: ``(B, C, H, W)`` -> ``(B, C, H, W)``
    """
    import torch

    b, _, h, w = x.shape
    if pad > 0:
        xp = torch.nn.functional.pad(x, (pad, pad, pad, pad))
        oy = torch.randint(0, 2 * pad + 1, (b,), generator=gen).to(x.device)
        ox = torch.randint(0, 2 * pad + 1, (b,), generator=gen).to(x.device)
        rows = (oy[:, None] + torch.arange(h, device=x.device))[:, None, :, None]
        cols = (ox[:, None] + torch.arange(w, device=x.device))[:, None, None, :]
        bidx = torch.arange(b, device=x.device)[:, None, None, None]
        cidx = torch.arange(x.shape[1], device=x.device)[None, :, None, None]
        x = xp[bidx, cidx, rows, cols]
    flip = (torch.rand(b, generator=gen) < 0.5).to(x.device)
    return torch.where(flip[:, None, None, None], x.flip(-1), x)


def _evaluate(net: Any, x: Any, y: Any | None, fmt: Any,
              batch: int = 1000) -> tuple[Any, float, float]:
    """Logits (float32, CPU numpy), mean cross-entropy and accuracy (%) in eval mode, the inputs
    laid out in the torch memory format ``fmt``."""
    import torch

    net.eval()
    with torch.no_grad():
        logits = torch.cat([net(x[i:i + batch].contiguous(memory_format=fmt))
                            for i in range(0, len(x), batch)]).float()
    if y is None:
        return logits.cpu().numpy(), math.nan, math.nan
    loss = float(torch.nn.functional.cross_entropy(logits, y))
    acc = 100.0 * int((logits.argmax(1) == y).sum()) / len(y)
    return logits.cpu().numpy(), loss, acc


def _calibration(logits: np.ndarray, labels: np.ndarray, ood_logits: np.ndarray | None,
                 recipe: BankRecipe) -> dict[str, Any]:
    from nasbench import calibration as cal

    if not np.all(np.isfinite(logits)):
        # a diverged run: its losses and accuracies are recorded as they are, and no calibration
        # is defined for non-finite outputs (the bank keeps going with the next architecture)
        return {"temperature": float("nan"), "pre": {}, "post": {}, "diverged": True}
    probs = cal.softmax(logits)
    pre = cal.metrics(probs, labels, recipe.bins)
    valid, held = cal.temperature_split(len(labels), recipe.ts_valid, recipe.ts_seed)
    t = cal.fit_temperature(logits[valid], labels[valid])
    post = cal.metrics(cal.softmax(logits[held] / np.float32(t)), labels[held], recipe.bins)
    out: dict[str, Any] = {"temperature": t, "pre": pre, "post": post}
    if ood_logits is not None:
        ood = cal.softmax(ood_logits)
        out["ood_auroc"] = cal.ood_auroc(probs, ood)
        out["ood_aupr"] = cal.ood_aupr(probs, ood)
    return out


def train_arch(arch: str, recipe: BankRecipe | dict, device: str = "cpu",
               threads: int | None = 1, logits_out: dict[str, np.ndarray] | None = None,
               channels_last: bool = True) -> dict[str, Any]:
    """Train one architecture with ``recipe`` and return its record (see the module docstring).

    Args:
        arch: an architecture of ``recipe.space`` (string).
        recipe: the recipe (or its JSON form, as sent to Dask workers).
        device: torch device string.
        threads: torch CPU threads for this process (None leaves the setting alone).
        logits_out: if a dict, receives ``"test"`` (final-epoch test logits, float32
            ``(n_test, classes)``), ``"test_labels"`` and ``"ood"`` (or None).
        channels_last: train and evaluate image networks in channels-last memory layout: 1.62x
            less CPU for the reduced NB201 recipe on this project's 2-core machine
            (``benchmarks/results/bank_speed.md``). A choice of kernels, not of recipe: the
            numbers differ from the default layout by float rounding, which training amplifies
            (as a change of machine does). Graph networks ignore it.

    Returns:
        A JSON-serialisable dict: ``arch``, ``index`` (official index, or -1), ``params``,
        per-epoch lists ``train_loss``, ``train_accuracy``, ``valid_*``, ``test_*`` (accuracies in
        %), ``calibration`` (epoch -> {temperature, pre, post, ood_*}), ``train_time``,
        ``eval_time`` (wall s), ``cpu_time`` (process CPU s, from this version on); every
        float cut to ``DIGITS`` significant digits.
    """
    import torch

    if isinstance(recipe, dict):
        recipe = BankRecipe.from_json(recipe)
    if threads is not None:
        torch.set_num_threads(int(threads))
    cpu0 = time.process_time()
    if recipe.dataset in GRAPH_DATASETS:
        rec = _train_graph(arch, recipe, device, logits_out)
    elif recipe.dataset in TU_DATASETS:
        rec = _train_tu(arch, recipe, device, logits_out)
    else:
        rec = _train_images(arch, recipe, device, logits_out, channels_last)
    # CPU seconds of this process (all threads): a load-independent size of the work
    rec["cpu_time"] = time.process_time() - cpu0
    return rounded(rec)


def _train_images(arch: str, recipe: BankRecipe, device: str,
                  logits_out: dict[str, np.ndarray] | None,
                  channels_last: bool) -> dict[str, Any]:
    """Image classification in mini-batches (CIFAR-10, MNIST); see :class:`BankRecipe`."""
    import torch

    from predictors.networks import build

    data = _data(recipe, device)
    xtr, ytr = data["train"]
    test_labels = data["test"][1].cpu().numpy()
    torch.manual_seed(recipe.seed)
    net = build(recipe.space, arch, recipe.dataset, C=recipe.C, N=recipe.N).to(device)
    params = sum(p.numel() for p in net.parameters())
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    net = net.to(memory_format=fmt)
    steps_per_epoch = math.ceil(len(ytr) / recipe.batch_size)
    opt, sched = _optimizer(net, recipe, steps_per_epoch * recipe.epochs)
    gen = torch.Generator().manual_seed(recipe.seed)
    pad = recipe.resolution // 8
    rec: dict[str, Any] = {
        "arch": arch, "index": _index(recipe.space, arch), "params": int(params),
        "train_loss": [], "train_accuracy": [], "valid_loss": [], "valid_accuracy": [],
        "test_loss": [], "test_accuracy": [], "calibration": {},
    }
    train_time = eval_time = 0.0
    calib = set(recipe.calibration_epochs)
    for epoch in range(1, recipe.epochs + 1):
        t0 = time.perf_counter()
        net.train()
        order = torch.randperm(len(ytr), generator=gen).to(device)
        loss_sum, correct, seen = 0.0, 0, 0
        for s in range(steps_per_epoch):
            idx = order[s * recipe.batch_size:(s + 1) * recipe.batch_size]
            xb, yb = xtr[idx], ytr[idx]
            if recipe.augment:
                xb = _augment(xb, pad, gen)
            xb = xb.contiguous(memory_format=fmt)
            out = net(xb)
            loss = torch.nn.functional.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += float(loss.detach()) * len(yb)
            correct += int((out.detach().argmax(1) == yb).sum())
            seen += len(yb)
        t1 = time.perf_counter()
        train_time += t1 - t0
        rec["train_loss"].append(loss_sum / seen)
        rec["train_accuracy"].append(100.0 * correct / seen)
        if len(data["valid"][1]):
            _, vl, va = _evaluate(net, *data["valid"], fmt)
        else:
            vl = va = math.nan
        rec["valid_loss"].append(vl)
        rec["valid_accuracy"].append(va)
        logits, tl, ta = _evaluate(net, *data["test"], fmt)
        rec["test_loss"].append(tl)
        rec["test_accuracy"].append(ta)
        if epoch in calib:
            ood = None if data["ood"] is None else _evaluate(net, data["ood"], None, fmt)[0]
            rec["calibration"][str(epoch)] = _calibration(logits, test_labels, ood, recipe)
        eval_time += time.perf_counter() - t1
    if logits_out is not None:
        logits_out["test"], logits_out["test_labels"] = logits, test_labels
        logits_out["ood"] = None if data["ood"] is None else _evaluate(net, data["ood"], None, fmt)[0]
    rec["train_time"] = train_time
    rec["eval_time"] = eval_time
    return rec


def _optimizer(net: Any, recipe: BankRecipe, total_steps: int) -> tuple[Any, Any]:
    import torch

    if recipe.optimizer == "adam":
        opt = torch.optim.Adam(net.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=recipe.lr, momentum=recipe.momentum,
                              nesterov=recipe.nesterov, weight_decay=recipe.weight_decay)
    if recipe.schedule == "cosine":
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: 0.5 * (1.0 + math.cos(math.pi * min(s, total_steps) / total_steps)))
    else:
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    return opt, sched


#: node-classification datasets trained full-batch (``predictors.networks.graph_data``)
GRAPH_DATASETS = ("cora", "citeseer")


def _train_graph(arch: str, recipe: BankRecipe, device: str,
                 logits_out: dict[str, np.ndarray] | None) -> dict[str, Any]:
    """Full-batch node classification on the public Planetoid split; same record layout."""
    import torch
    from torch.nn import functional as F

    from predictors.networks import build
    from predictors.networks.graph_data import load

    key = ("graph", recipe.dataset, device)
    if key not in _DATA:
        _DATA[key] = {"g": load(recipe.dataset).to(device)}
    g = _DATA[key]["g"]
    torch.manual_seed(recipe.seed)
    # linear_first: the same function as the benchmark's op order, in less CPU on Cora's sparse
    # features (predictors.networks.sparse_features)
    net = build(recipe.space, arch, recipe.dataset, dropout=recipe.dropout,
                linear_first=True).to(device)
    params = sum(p.numel() for p in net.parameters())
    opt, sched = _optimizer(net, recipe, recipe.epochs)
    masks = {"train": g.train_mask, "valid": g.val_mask, "test": g.test_mask}
    test_labels = g.y[g.test_mask].cpu().numpy()
    rec: dict[str, Any] = {
        "arch": arch, "index": _index(recipe.space, arch), "params": int(params),
        "train_loss": [], "train_accuracy": [], "valid_loss": [], "valid_accuracy": [],
        "test_loss": [], "test_accuracy": [], "calibration": {},
    }
    calib = set(recipe.calibration_epochs)
    train_time = eval_time = 0.0
    logits = np.zeros((0, 0), dtype=np.float32)
    for epoch in range(1, recipe.epochs + 1):
        t0 = time.perf_counter()
        net.train()
        out = net(g.x, g.edge_index)
        loss = F.cross_entropy(out[g.train_mask], g.y[g.train_mask])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        rec["train_loss"].append(float(loss.detach()))
        pred = out.detach()[g.train_mask].argmax(1)
        rec["train_accuracy"].append(100.0 * int((pred == g.y[g.train_mask]).sum()) / len(pred))
        t1 = time.perf_counter()
        train_time += t1 - t0
        net.eval()
        with torch.no_grad():
            full = net(g.x, g.edge_index).float()
        for split in ("valid", "test"):
            m = masks[split]
            rec[f"{split}_loss"].append(float(F.cross_entropy(full[m], g.y[m])))
            rec[f"{split}_accuracy"].append(
                100.0 * int((full[m].argmax(1) == g.y[m]).sum()) / int(m.sum()))
        logits = full[g.test_mask].cpu().numpy()
        if epoch in calib:
            rec["calibration"][str(epoch)] = _calibration(logits, test_labels, None, recipe)
        eval_time += time.perf_counter() - t1
    if logits_out is not None:
        logits_out["test"], logits_out["test_labels"], logits_out["ood"] = logits, test_labels, None
    rec["train_time"] = train_time
    rec["eval_time"] = eval_time
    return rec


#: graph-classification datasets (``predictors.datasets.tu``), trained in mini-batches of graphs
TU_DATASETS = ("mutag", "proteins", "enzymes")


def _tu_split(labels: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Seeded stratified 70 / 10 / 20 % train / valid / test split of graph indices."""
    rng = np.random.default_rng(seed)
    parts: dict[str, list[int]] = {"train": [], "valid": [], "test": []}
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test, n_valid = round(0.2 * len(idx)), round(0.1 * len(idx))
        parts["test"] += idx[:n_test].tolist()
        parts["valid"] += idx[n_test:n_test + n_valid].tolist()
        parts["train"] += idx[n_test + n_valid:].tolist()
    return {k: np.sort(np.asarray(v, dtype=np.int64)) for k, v in parts.items()}


def _train_tu(arch: str, recipe: BankRecipe, device: str,
              logits_out: dict[str, np.ndarray] | None) -> dict[str, Any]:
    """Graph classification: the NAS-Bench-Graph cell on node features, mean readout of its node
    outputs per graph (``global_mean_pool``), mini-batches of ``batch_size`` graphs; seeded
    stratified 70 / 10 / 20 % split (``data_seed``); ``resolution``, ``train_size``,
    ``valid_size``, ``augment`` and ``ood`` do not apply. Hidden size ``recipe.C`` (the network's
    ``dim``), ``recipe.N - 1`` post-processing layers beyond the cell's output layer.
    """
    import torch
    from torch.nn import functional as F
    from torch_geometric.data import Batch
    from torch_geometric.loader import DataLoader
    from torch_geometric.nn import global_mean_pool

    from nasbench.spaces import nbgraph as gspace
    from predictors import datasets
    from predictors.networks.nbgraph import GraphNetwork

    ds = datasets.tu(recipe.dataset)
    labels = np.array([int(g.y) for g in ds])
    split = _tu_split(labels, recipe.data_seed)
    torch.manual_seed(recipe.seed)
    net = GraphNetwork(gspace.parse_arch(gspace.SPACE.canonical(arch)), ds.num_features,
                       ds.num_classes, recipe.C, 0, recipe.N, recipe.dropout).to(device)
    params = sum(p.numel() for p in net.parameters())
    steps = math.ceil(len(split["train"]) / recipe.batch_size)
    opt, sched = _optimizer(net, recipe, steps * recipe.epochs)
    gen = torch.Generator().manual_seed(recipe.seed)
    loaders = {k: DataLoader(ds[torch.from_numpy(v)], batch_size=512, shuffle=False)
               for k, v in split.items()}
    train_set = ds[torch.from_numpy(split["train"])]

    def forward(batch: Any) -> Any:
        batch = batch.to(device)
        return global_mean_pool(net(batch.x, batch.edge_index), batch.batch), batch.y

    def evaluate(split_name: str) -> tuple[np.ndarray, np.ndarray, float, float]:
        net.eval()
        with torch.no_grad():
            outs = [forward(b) for b in loaders[split_name]]
        z = torch.cat([o[0] for o in outs]).float()
        yy = torch.cat([o[1] for o in outs])
        acc = 100.0 * int((z.argmax(1) == yy).sum()) / len(yy)
        return z.cpu().numpy(), yy.cpu().numpy(), float(F.cross_entropy(z, yy)), acc

    rec: dict[str, Any] = {
        "arch": arch, "index": _index(recipe.space, arch), "params": int(params),
        "train_loss": [], "train_accuracy": [], "valid_loss": [], "valid_accuracy": [],
        "test_loss": [], "test_accuracy": [], "calibration": {},
    }
    calib = set(recipe.calibration_epochs)
    train_time = eval_time = 0.0
    logits = test_labels = np.zeros(0)
    for epoch in range(1, recipe.epochs + 1):
        t0 = time.perf_counter()
        net.train()
        loss_sum, correct, seen = 0.0, 0, 0
        order = torch.randperm(len(train_set), generator=gen)
        for s in range(steps):
            chunk = order[s * recipe.batch_size:(s + 1) * recipe.batch_size]
            out, yb = forward(Batch.from_data_list([train_set[int(i)] for i in chunk]))
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += float(loss.detach()) * len(yb)
            correct += int((out.detach().argmax(1) == yb).sum())
            seen += len(yb)
        rec["train_loss"].append(loss_sum / seen)
        rec["train_accuracy"].append(100.0 * correct / seen)
        t1 = time.perf_counter()
        train_time += t1 - t0
        for name in ("valid", "test"):
            z, yy, lo, ac = evaluate(name)
            rec[f"{name}_loss"].append(lo)
            rec[f"{name}_accuracy"].append(ac)
        logits, test_labels = z, yy
        if epoch in calib:
            rec["calibration"][str(epoch)] = _calibration(logits, test_labels, None, recipe)
        eval_time += time.perf_counter() - t1
    if logits_out is not None:
        logits_out["test"], logits_out["test_labels"], logits_out["ood"] = logits, test_labels, None
    rec["train_time"] = train_time
    rec["eval_time"] = eval_time
    return rec


def _index(space: str, arch: str) -> int:
    from nasbench.spaces import get as get_space

    sp = get_space(space)
    try:
        return int(sp.index(arch))
    except Exception:  # spaces without an official order
        return -1


# ---------------------------------------------------------------------------------------------
# architecture lists
# ---------------------------------------------------------------------------------------------


def select_archs(space: str, n: int, seed: int = 0, extremes: bool = True,
                 reference: tuple[str, str, str] | None = None) -> list[str]:
    """The architectures of a bank: best and worst known first, then ``n`` seeded random ones.

    Random ones are drawn without replacement from the space's isomorphism-class representatives
    (``space.canonical`` of every enumerated arch; NB201: 6,466), by a permutation fixed by
    ``seed``; the list for ``n`` is a prefix of the list for any larger ``n``. Extremes are the
    representatives of the archs with the highest and lowest ``reference`` value (store,
    dataset, metric; default: NB201's 200-epoch CIFAR-10 test accuracy for ``nb201``, NAS-Bench-
    Graph's Cora test accuracy for ``nbgraph``); they are not repeated among the random ones.

    Returns:
        Arch strings (canonical representatives), extremes first.

    Raises:
        ValueError: ``n`` not an int >= 0 (``nasbench.InvalidArgumentError``) or above the
            representatives left besides the extremes.
    """
    from nasbench.spaces import get as get_space

    check_int("n", n, 0)

    sp = get_space(space)
    reps = sorted({sp.canonical(a) for a in sp.enumerate()}, key=sp.index)
    chosen: list[str] = []
    if extremes:
        import nasbench

        if reference is None:
            reference = {"nbgraph": ("nbgraph", "cora", "test_accuracy")}.get(
                space, ("nb201", "cifar10", "test_accuracy"))

        bench = nasbench.load(reference[0])
        values = bench.query(bench.archs, reference[1], reference[2])
        best = sp.canonical(bench.archs[int(np.nanargmax(values))])
        worst = sp.canonical(bench.archs[int(np.nanargmin(values))])
        chosen = [best, worst]
    perm = np.random.default_rng(seed).permutation(len(reps))
    rest = [reps[i] for i in perm if reps[i] not in chosen]
    if n > len(rest):
        raise ValueError(f"{space} has {len(rest)} representatives besides the extremes; asked for {n}")
    return chosen + rest[:n]


# ---------------------------------------------------------------------------------------------
# results folder
# ---------------------------------------------------------------------------------------------


def read_recipe(out: str | Path) -> BankRecipe | None:
    """The recipe stored in a results folder (None if there is none yet)."""
    path = Path(out) / RECIPE
    if not path.is_file():
        return None
    return BankRecipe.from_json(json.loads(path.read_text()))


def read_results(out: str | Path) -> list[dict[str, Any]]:
    """Every architecture record of a results folder, in the order they finished."""
    return read_records(Path(out))


def _atomic_write(path: Path, write: Callable[[Any], None], binary: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb" if binary else "w") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: significant digits kept of every float in a record: float32 training carries about 7, and the
#: 17 of a JSON double would more than double the committed files for no information
DIGITS = 7


def rounded(value: Any) -> Any:
    """``value`` (a record, or any JSON-like nest of it) with every float cut to ``DIGITS``
    significant digits; NaN and infinities stay as they are."""
    if isinstance(value, float):
        return float(f"{value:.{DIGITS}g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v) for v in value]
    return value


def _write_results(out: Path, records: Sequence[dict[str, Any]]) -> None:
    """Write ``records`` as results files of ``PART_RECORDS`` each, first to last, rewriting only
    the files whose bytes change: records are only ever appended, so a kill between two files
    leaves a prefix of the records, never a duplicate or a gap."""
    for k, start in enumerate(range(0, max(len(records), 1), PART_RECORDS)):
        buffer = io.BytesIO()
        # mtime=0: the same records give the same bytes (idempotent, diff-friendly)
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz:
            for r in records[start:start + PART_RECORDS]:
                gz.write((json.dumps(r, sort_keys=True, allow_nan=True) + "\n").encode())
        path, data = out / part_name(k), buffer.getvalue()
        if not path.is_file() or path.read_bytes() != data:
            _atomic_write(path, lambda fh, data=data: fh.write(data), binary=True)


def _check_recipe(out: Path, recipe: BankRecipe) -> None:
    stored = read_recipe(out)
    if stored is None:
        _atomic_write(out / RECIPE, lambda fh: fh.write(json.dumps(recipe.to_json(), indent=1) + "\n"))
        return
    if stored != recipe:
        raise RecipeMismatchError(f"{out} holds results of a different recipe "
                                  f"({_recipe_diff(stored, recipe)}); use another --out folder")


def _recipe_diff(there: BankRecipe, now: BankRecipe) -> str:
    a, b = there.to_json(), now.to_json()
    return ", ".join(f"{k}: {a[k]!r} there vs {b[k]!r} now" for k in a if a[k] != b.get(k))


def build_bank(
    archs: Iterable[str],
    out: str | Path,
    recipe: BankRecipe = BankRecipe(),
    device: str = "cpu",
    threads: int | None = 1,
    scheduler: str | None = None,
    progress: bool = True,
    limit: int | None = None,
    n_jobs: int = 1,
) -> list[dict[str, Any]]:
    """Train every architecture of ``archs`` not yet in ``out`` and return all records.

    Args:
        archs: architecture strings (duplicates are trained once).
        out: results folder (created; ``recipe.json`` + ``results.jsonl.gz``, then
            ``results-1.jsonl.gz``, ... past ``PART_RECORDS`` records each).
        recipe: the training recipe; must equal the folder's stored one.
        device: torch device.
        threads: torch CPU threads per training process.
        scheduler: Dask scheduler address; None trains on this machine.
        progress: show a tqdm bar with the ETA.
        limit: stop after this many newly trained archs (None: all).
        n_jobs: local worker processes (joblib) when no scheduler is given; 1 trains here, one
            arch after another. Every arch is seeded on its own, so its record does not depend
            on ``n_jobs``; only the order of the records does.

    Raises:
        RecipeMismatchError: ``out`` holds results of another recipe.
        ValueError: ``n_jobs`` or ``threads`` not an int >= 1, ``limit`` not an int >= 0
            (``nasbench.InvalidArgumentError``, naming it).
    """
    from tqdm.auto import tqdm

    check_int("n_jobs", n_jobs, 1)
    if threads is not None:
        check_int("threads", threads, 1)
    if limit is not None:
        check_int("limit", limit, 0)
    out = Path(out)
    _check_recipe(out, recipe)
    records = read_results(out)
    done = {r["arch"] for r in records}
    wanted = list(dict.fromkeys(archs))
    todo = [a for a in wanted if a not in done]
    if limit is not None:
        todo = todo[:limit]
    bar = tqdm(total=len(todo), desc=f"bank {recipe.space}/{recipe.dataset}", unit="arch",
               disable=not progress, smoothing=0.1)

    def finished(rec: dict[str, Any]) -> None:
        records.append(rec)
        _write_results(out, records)
        bar.update(1)
        bar.set_postfix_str(f"test acc {rec['test_accuracy'][-1]:.1f}%")

    work = functools.partial(train_arch, recipe=recipe.to_json(), device=device, threads=threads)
    try:
        for rec in imap_unordered(work, todo, n_jobs=n_jobs, scheduler=scheduler or None):
            finished(rec)
    finally:
        bar.close()
    return records


def merge(out: str | Path, sources: Iterable[str | Path]) -> int:
    """Add the records of bank folders trained elsewhere (another machine, a GPU run split over
    workers) to the bank ``out``; returns how many architectures were new.

    Every source must hold the recipe of ``out`` (or, where ``out`` has none yet, of the first
    source); all are checked before anything is written, so a mismatch changes nothing. An
    architecture already in ``out`` keeps its record there; new ones are appended in source order.

    Raises:
        RecipeMismatchError: a source was trained with another recipe (the differing fields).
    """
    out = Path(out)
    found = [(Path(s), read_recipe(s)) for s in sources]
    found = [(s, r) for s, r in found if r is not None]
    if not found:
        return 0
    reference = read_recipe(out) or found[0][1]
    for src, recipe in found:
        if recipe != reference:
            raise RecipeMismatchError(f"{src} was trained with another recipe than {out} "
                                      f"({_recipe_diff(reference, recipe)})")
    records = read_results(out)
    done = {r["arch"] for r in records}
    added = 0
    for src, _ in found:
        for rec in read_results(src):
            if rec["arch"] not in done:
                done.add(rec["arch"])
                records.append(rec)
                added += 1
    if added:
        out.mkdir(parents=True, exist_ok=True)
        _check_recipe(out, reference)
        _write_results(out, records)
    return added


# ---------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    d = BankRecipe()
    p = argparse.ArgumentParser(
        prog="nasbench build-bank",
        description="Train architectures with one fixed recipe and record per-epoch accuracy and "
        "calibration (pre/post temperature scaling). Resumable and idempotent.",
    )
    p.add_argument("--out", required=True,
                   help=f"results folder (recipe.json, results.jsonl.gz, results-1.jsonl.gz, ...: "
                        f"{PART_RECORDS} records a file)")
    p.add_argument("--space", default=d.space)
    p.add_argument("--dataset", default=d.dataset,
                   choices=["cifar10", "mnist", *GRAPH_DATASETS, *TU_DATASETS])
    p.add_argument("--archs", type=int, default=10, help="random representatives (after extremes)")
    p.add_argument("--arch", action="append", default=[], help="train this arch (repeatable); "
                   "replaces the random selection")
    p.add_argument("--seed", type=int, default=0, help="architecture sampling seed")
    p.add_argument("--no-extremes", action="store_true", help="skip the best / worst known archs")
    p.add_argument("--limit", type=int, default=None, help="stop after this many new archs")
    p.add_argument("--benchmark-recipe", action="store_true",
                   help="train as the benchmark did (nbgraph on cora / citeseer); flags below "
                   "still override single settings")
    p.add_argument("--epochs", type=int, default=None, help=f"default {d.epochs}")
    p.add_argument("--channels", type=int, default=d.C, help="C of the network")
    p.add_argument("--cells", type=int, default=d.N, help="N cells per stage")
    p.add_argument("--resolution", type=int, default=d.resolution)
    p.add_argument("--train-size", type=int, default=d.train_size)
    p.add_argument("--valid-size", type=int, default=d.valid_size)
    p.add_argument("--test-size", type=int, default=d.test_size)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--lr", type=float, default=None, help=f"default {d.lr}")
    p.add_argument("--optimizer", default=None, choices=["sgd", "adam"],
                   help=f"default {d.optimizer}")
    p.add_argument("--momentum", type=float, default=None, help=f"SGD momentum, default {d.momentum}")
    p.add_argument("--nesterov", action=argparse.BooleanOptionalAction, default=None,
                   help=f"Nesterov SGD, default {d.nesterov}")
    p.add_argument("--weight-decay", type=float, default=None, help=f"default {d.weight_decay}")
    p.add_argument("--schedule", default=None, choices=["cosine", "constant"],
                   help=f"default {d.schedule}")
    p.add_argument("--dropout", type=float, default=None,
                   help=f"graph networks only, default {d.dropout}")
    p.add_argument("--train-seed", type=int, default=d.seed, help="torch seed of every run")
    p.add_argument("--calib-epochs", default="", help="comma-separated epochs; empty = all")
    p.add_argument("--bins", default=",".join(map(str, d.bins)))
    p.add_argument("--no-augment", action="store_true")
    p.add_argument("--device", default="cpu", help="torch device, e.g. cuda")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads per process")
    p.add_argument("--n-jobs", type=int, default=1,
                   help="local worker processes, one arch each (ignored with --scheduler)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler ADDRESS")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


#: training flags that default to the recipe's value (``BankRecipe`` or ``--benchmark-recipe``)
TRAINING_FLAGS = ("epochs", "lr", "optimizer", "momentum", "nesterov", "weight_decay", "schedule",
                  "dropout")


def _ints(text: str, what: str) -> tuple[int, ...]:
    try:
        return tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise ValueError(f"{what} must be comma-separated integers; got {text!r}") from None


def recipe_from_args(args: argparse.Namespace) -> BankRecipe:
    """The recipe a ``nasbench build-bank`` command line trains with (parsed by ``_parser``).

    Raises:
        ValueError: a malformed list (``--bins``, ``--calib-epochs``) or recipe field.
    """
    training = {k: getattr(args, k) for k in TRAINING_FLAGS if getattr(args, k) is not None}
    fields = dict(
        space=args.space, dataset=args.dataset, C=args.channels, N=args.cells,
        resolution=args.resolution, train_size=args.train_size, valid_size=args.valid_size,
        test_size=args.test_size, batch_size=args.batch_size, seed=args.train_seed,
        augment=not args.no_augment, bins=_ints(args.bins, "--bins"),
        calib_epochs=_ints(args.calib_epochs, "--calib-epochs"), **training,
    )
    return (BankRecipe.benchmark if args.benchmark_recipe else BankRecipe)(**fields)


def main(argv: Sequence[str] | None = None) -> int:
    """``nasbench build-bank``: returns the exit code (2 with a one-line message on bad input)."""
    args = _parser().parse_args(argv)
    try:
        recipe = recipe_from_args(args)
        if args.device.startswith("cuda"):
            import torch

            if not torch.cuda.is_available():
                raise ValueError("--device cuda asked for, but torch sees no CUDA device")
        if args.arch:
            from nasbench.spaces import get as get_space

            sp = get_space(args.space)
            archs = [sp.format(sp.parse(a)) for a in args.arch]
        else:
            if args.archs < 0:  # select_archs would name its parameter n, not the flag
                raise ValueError(f"--archs {args.archs}: use 0 or more random architectures "
                                 "(besides the extremes)")
            archs = select_archs(args.space, args.archs, args.seed, not args.no_extremes)
        t0 = time.time()
        records = build_bank(archs, args.out, recipe, device=args.device, threads=args.threads,
                             scheduler=args.scheduler, progress=not args.quiet, limit=args.limit,
                             n_jobs=args.n_jobs)
    except (ValueError, KeyError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"nasbench build-bank: error: {msg}", file=sys.stderr)
        return 2
    wanted = set(archs)
    have = sum(r["arch"] in wanted for r in records)
    print(f"{have}/{len(wanted)} archs done in {args.out} ({time.time() - t0:.0f} s this run)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
