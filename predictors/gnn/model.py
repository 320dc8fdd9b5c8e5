"""``GNNPredictor``: a graph encoder and an MLP head behind the scikit-learn Predictor API.

::

    >>> from predictors.gnn import GNNPredictor
    >>> model = GNNPredictor(space="nb201", encoder="flow", loss="hinge", random_state=0)
    >>> model.fit(train_archs, y_train).predict(test_archs)

Training (``fit``):

1. Every arch becomes a PyG graph (``predictors.gnn.graphs``); with ``features="both"`` the
   store's zero-cost proxies of the arch are appended, quantile-normalised on the training set
   (missing values -> the median), to the graph vector before the head.
2. The model fits the normal scores of the target's ranks (as the GBDTs' ``target_transform=
   "rank"``): NB201's long tail of broken cells would otherwise dominate a squared loss.
3. A fixed schedule by default: ``epochs`` epochs (at most ``max_steps`` optimiser steps) of
   AdamW with a cosine-decaying learning rate. **Early stopping on the training set only** is
   available: ``validation_fraction > 0`` holds out that share of the training archs, measures
   their Kendall tau every epoch, keeps the best epoch's weights and stops after ``patience``
   epochs without progress; ``refit=True`` then trains a fresh model on every training arch for
   the best number of epochs. It is off by default because with 100 labels the held-out 15 archs
   are too few to pick an epoch: on NB201 cifar10 (100 archs, 3 seeds, flow encoder, hinge loss,
   constant learning rate, 150 epochs) it gave Kendall 0.628 against 0.690 for the fixed schedule.
   450 epochs (the default; 1,000 steps from ~150 training archs on) against 150: Kendall 0.668
   against 0.666 at 78 archs, 0.694 against 0.674 at 100 (``benchmarks/results/gnn_notes.md``).
4. Predictions are mapped back to the target's scale by matching quantiles of the training
   archs' predictions and targets (a monotone map, so the ranking is the model's), which keeps
   MAE / RMSE meaningful for the ranking losses too.

Determinism: the same ``random_state`` gives the same predictions on the same device (torch is
seeded from it; mini-batches and the validation split are drawn from it). ``device=None`` uses
CUDA when present, else the CPU; on the CPU ``n_jobs`` torch threads are used during ``fit`` and
``predict`` (default 1: the evaluation protocol parallelises over runs instead).

Optional pretraining on unlabelled archs (see ``predictors.gnn.pretrain``) initialises the encoder
from a graph autoencoder (``pretrain="ae"``) or from a model of the archs' data-free zero-cost
proxies (``pretrain="zc"``), trained on ``pretrain_archs`` archs of the space without labels.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from predictors.base import FEATURE_SETS, Predictor, PredictorInputError, resolve_space
from predictors.metrics import normal_scores
from predictors.parallel import torch_threads

__all__ = ["GNNPredictor"]


class _QuantileMap:
    """Monotone map from model scores to the target's scale, matched on the training archs."""

    def __init__(self, scores: np.ndarray, y: np.ndarray) -> None:
        self.s = np.sort(scores)
        self.y = np.sort(y)
        self.slope = float(np.std(y) / (np.std(scores) or 1.0))

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        inner = np.interp(scores, self.s, self.y)
        lo, hi = self.s[0], self.s[-1]
        out = inner + (np.minimum(scores - lo, 0) + np.maximum(scores - hi, 0)) * self.slope
        # flat stretches of the map (tied targets) would tie distinct scores: keep their order
        return out + 1e-6 * self.slope * (scores - scores.mean())


def _representative(space: Any, arch: Any) -> Any:
    """``space.canonical(arch)``, a bad arch refused with the message ``to_pyg`` gives."""
    try:
        return space.canonical(arch)
    except (ValueError, TypeError, KeyError) as exc:
        raise PredictorInputError(f"arch {arch!r} is not a valid {space.name} architecture ({exc})") from None


#: seed distance between ensemble members (a prime, so member seeds of nearby random_states differ)
MEMBER_SEED_STEP = 100_003


class GNNPredictor(Predictor):
    """A GNN encoder with an MLP head, trained with a regression or ranking loss.

    Args:
        space: search space name or ``SearchSpace``; None = ``bench``'s space.
        encoder: ``"flow"`` (directed, topological order), ``"flower"`` (``"flow"`` + attention
            between the nodes that share a path, as FlowerFormer), ``"gin"``, ``"gcn"`` or ``"gat"``.
        loss: ``"hinge"``, ``"logistic"`` (pairwise), ``"listwise"`` (ListMLE) or ``"mse"``.
        features: ``"encoding"`` (the graph only) or ``"both"`` (graph + zero-cost proxies of
            ``bench``/``dataset``).
        bench, dataset, proxies: where the proxies live (``features="both"``); proxies None = all.
        hidden, layers, readout, dropout: encoder and head sizes (``predictors.gnn.encoders``).
        epochs: most training epochs; max_steps: most optimiser steps (caps the epochs of large
            training sets: 1,000 archs fit in well under a minute on one CPU core).
        batch_size: archs per mini-batch (the ranking losses use every pair of a batch).
        learning_rate, weight_decay: AdamW's.
        lr_schedule: ``"cosine"`` (decay to zero over the schedule) or ``"constant"``.
        margin: margin of the hinge / logistic losses.
        validation_fraction: share of the training archs held out for early stopping (0 = none:
            train ``epochs`` epochs); patience: epochs without progress before stopping.
        refit: retrain on all training archs for the best epoch count after early stopping.
        pretrain: None, ``"ae"`` (graph autoencoder on unlabelled archs of the space) or ``"zc"``
            (predict the data-free zero-cost proxies of unlabelled archs; no image, no label).
        pretrain_archs: how many unlabelled archs (sampled from the space or the proxy store, or
            all if it has fewer); None = 5,000 for ``"ae"``, all of the store's for ``"zc"``
            (NB201: its 6,466 isomorphism classes).
        pretrain_epochs: epochs of pretraining; None = 20 for ``"ae"``, 100 for ``"zc"`` (on 3
            tuning splits of NB201 at 78 archs, Kendall 0.78 after 20 epochs on 5,000 classes,
            0.81 after 60 or 150 epochs on all 6,466; 100 itself was not piloted).
        pretrain_proxies: the proxies ``pretrain="zc"`` predicts (None =
            ``predictors.gnn.pretrain.DATA_FREE_PROXIES``).
        pretrain_bench: the store they are read from (None = ``"<space>_zc"``, e.g. ``nb201_zc``).
        vocab: node features of the space's own (``"own"``) or the vocabulary shared across
            spaces (``"shared"``, ``predictors.gnn.graphs.SHARED_KINDS``), for transfer.
        init_model: the ``model_`` of a fitted ``GNNPredictor`` (e.g. on another space or
            dataset, same ``vocab`` and shapes), or the fitted predictor itself, whose weights
            start training: fine-tuning instead of training from scratch
            (``predictors.gnn.transfer``); ``pretrain`` is then not used. ``sklearn.clone``
            copies a ``model_`` but unfits a predictor, so pass ``model_`` to ``evaluate``.
        merge_isomorphic: encode every arch as its isomorphism class's representative
            (``space.canonical``): equivalent cells (an NB201 conv on an edge no path uses) get
            one graph and one prediction, and the encoder does not have to learn that the
            differences are dead. Kendall at 78 NB201 archs: 0.709 with it, 0.689 without (10
            seeds, ``benchmarks/results/gnn_small.md``).
        members: models trained from different initialisations (seeds ``random_state + 100003
            * j``) on the same archs; their standardised scores are averaged. ``model_`` is the
            first, ``models_`` all of them.
        random_state: seed of the weights, the split and the mini-batches.
        device: ``"cpu"``, ``"cuda"``, or None (CUDA when present).
        n_jobs: torch CPU threads during fit / predict.
    """

    def __init__(
        self,
        space: Any = None,
        encoder: str = "flow",
        loss: str = "hinge",
        features: str = "encoding",
        bench: Any = None,
        dataset: str | None = None,
        proxies: Any = None,
        *,
        hidden: int = 64,
        layers: int = 2,
        readout: str = "mean+sink",
        dropout: float = 0.0,
        epochs: int = 450,
        max_steps: int = 1000,
        batch_size: int = 64,
        learning_rate: float = 2e-3,
        lr_schedule: str = "cosine",
        weight_decay: float = 1e-4,
        margin: float = 0.1,
        validation_fraction: float = 0.0,
        patience: int = 50,
        refit: bool = False,
        pretrain: str | None = None,
        pretrain_archs: int | None = None,
        pretrain_epochs: int | None = None,
        pretrain_proxies: Any = None,
        pretrain_bench: Any = None,
        vocab: str = "own",
        init_model: Any = None,
        merge_isomorphic: bool = True,
        members: int = 1,
        random_state: int | None = 0,
        device: str | None = None,
        n_jobs: int = 1,
    ) -> None:
        self.space = space
        self.encoder = encoder
        self.loss = loss
        self.features = features
        self.bench = bench
        self.dataset = dataset
        self.proxies = proxies
        self.hidden = hidden
        self.layers = layers
        self.readout = readout
        self.dropout = dropout
        self.epochs = epochs
        self.max_steps = max_steps
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.lr_schedule = lr_schedule
        self.weight_decay = weight_decay
        self.margin = margin
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.refit = refit
        self.pretrain = pretrain
        self.pretrain_archs = pretrain_archs
        self.pretrain_epochs = pretrain_epochs
        self.pretrain_proxies = pretrain_proxies
        self.pretrain_bench = pretrain_bench
        self.vocab = vocab
        self.init_model = init_model
        self.merge_isomorphic = merge_isomorphic
        self.members = members
        self.random_state = random_state
        self.device = device
        self.n_jobs = n_jobs

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.features == "both"  # missing proxies are imputed
        tags.non_deterministic = False
        return tags

    # -- parameters --------------------------------------------------------------------------
    def _check_params(self) -> None:
        from predictors.gnn.encoders import ENCODERS, READOUTS
        from predictors.gnn.losses import LOSSES

        checks = [
            ("encoder", self.encoder, ENCODERS), ("loss", self.loss, tuple(LOSSES)),
            ("readout", self.readout, READOUTS), ("features", self.features, ("encoding", "both")),
            ("pretrain", self.pretrain, (None, "ae", "zc")),
            ("lr_schedule", self.lr_schedule, ("cosine", "constant")),
            ("vocab", self.vocab, ("own", "shared")),
        ]
        for name, value, allowed in checks:
            if value not in allowed:
                shown = ", ".join(repr(a) for a in allowed)
                extra = " ('zc' alone: use a GBDT on the proxies)" if value in FEATURE_SETS else ""
                raise PredictorInputError(f"{name}={value!r}; use one of {shown}{extra}")
        if not 0.0 <= self.validation_fraction < 0.9:
            raise PredictorInputError(
                f"validation_fraction={self.validation_fraction}; use a share in [0, 0.9)"
            )
        for name in ("hidden", "layers", "epochs", "max_steps", "batch_size", "members", "n_jobs"):
            if int(getattr(self, name)) < 1:
                raise PredictorInputError(f"{name}={getattr(self, name)}; use a positive integer")
        # torch's and numpy's own refusals come later, mid-fit, and name no parameter
        if not 0.0 <= self.dropout < 1.0:
            raise PredictorInputError(f"dropout={self.dropout}; use a probability in [0, 1)")
        if not self.learning_rate > 0 or not self.weight_decay >= 0 or not self.margin >= 0:
            raise PredictorInputError(
                f"learning_rate={self.learning_rate}, weight_decay={self.weight_decay}, "
                f"margin={self.margin}; use a learning rate > 0 and a weight decay and margin >= 0")
        if self.random_state is not None and int(self.random_state) < 0:
            raise PredictorInputError(f"random_state={self.random_state}; use None or an integer >= 0")
        if self.encoder == "flower" and int(self.hidden) % 4:
            raise PredictorInputError(f"hidden={self.hidden}; the flower encoder's 4 attention heads "
                                      "need a multiple of 4")

    def _device(self) -> Any:
        import torch

        if self.device is None:
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        if self.device == "cuda" and not torch.cuda.is_available():
            raise PredictorInputError("device='cuda' but torch sees no CUDA device; use device=None or 'cpu'")
        try:
            return torch.device(self.device)
        except RuntimeError:
            raise PredictorInputError(f"device={self.device!r}; use None, 'cpu' or 'cuda'") from None

    # -- features ------------------------------------------------------------------------------
    def _extra(self, archs: list[Any], fit: bool) -> np.ndarray | None:
        if self.features != "both":
            return None
        from predictors.base import proxy_names, table_features

        if self.bench is None or self.dataset is None:
            raise PredictorInputError(
                "features='both' reads zero-cost proxies from a store: pass bench= (e.g. 'nb201') "
                "and dataset= (e.g. 'cifar10')"
            )
        names = proxy_names(self.bench, self.dataset, self.proxies)
        raw = table_features(self.bench, self.dataset, names, archs)
        if fit:
            from sklearn.preprocessing import QuantileTransformer

            self.proxy_names_ = names
            self.proxy_median_ = np.nanmedian(np.where(np.isfinite(raw), raw, np.nan), axis=0)
            self.proxy_median_ = np.nan_to_num(self.proxy_median_)
            filled = np.where(np.isfinite(raw), raw, self.proxy_median_)
            self.proxy_map_ = QuantileTransformer(
                n_quantiles=min(1000, len(archs)), output_distribution="normal",
                random_state=0,
            ).fit(filled)
        filled = np.where(np.isfinite(raw), raw, self.proxy_median_)
        return self.proxy_map_.transform(filled).astype(np.float32)

    def _graphs(self, archs: list[Any], fit: bool) -> list[Any]:
        from predictors.gnn.graphs import to_pyg_list

        space = resolve_space(self.space, self.bench)
        extra = self._extra(archs, fit)  # proxies belong to the arch itself, not its class
        if self.merge_isomorphic:
            archs = [_representative(space, a) for a in archs]
        return to_pyg_list(space, archs, extra=extra, vocab=self.vocab)

    # -- training ------------------------------------------------------------------------------
    def _new_model(self, in_dim: int, extra_dim: int) -> Any:
        from predictors.gnn.encoders import GNNModel, GraphEncoder

        if self.init_model is not None:
            init = self.init_model
            if isinstance(init, GNNPredictor):
                init = getattr(init, "model_", None)
            if not isinstance(init, GNNModel):
                raise PredictorInputError(
                    "init_model must be a fitted GNNPredictor or its model_; fit it first"
                )
            if (init.encoder.embed.in_features, init.extra_dim) != (in_dim, extra_dim):
                raise PredictorInputError(
                    f"init_model reads node features of width {init.encoder.embed.in_features} "
                    f"(+{init.extra_dim} extra), these archs give {in_dim} (+{extra_dim}): use "
                    "vocab='shared' on both sides to transfer across spaces"
                )
            return copy.deepcopy(init)
        enc = GraphEncoder(self.encoder, in_dim, hidden=self.hidden, layers=self.layers,
                           readout=self.readout, dropout=self.dropout)
        if self.pretrain is not None:
            from predictors.gnn.pretrain import pretrained_encoder_state

            enc.load_state_dict(pretrained_encoder_state(self, in_dim))
        return GNNModel(enc, extra_dim=extra_dim, hidden=self.hidden, dropout=self.dropout)

    def _scores(self, model: Any, graphs: list[Any], device: Any, chunk: int = 1024) -> np.ndarray:
        import torch
        from torch_geometric.data import Batch

        model.eval()
        out = []
        with torch.no_grad():
            for i in range(0, len(graphs), chunk):
                batch = Batch.from_data_list(graphs[i : i + chunk]).to(device)
                out.append(model(batch).cpu().numpy())
        return np.concatenate(out).astype(np.float64)

    def _train(self, graphs: list[Any], z: np.ndarray, train: np.ndarray, val: np.ndarray,
               epochs: int, seed: int, device: Any) -> tuple[Any, int, float]:
        """Train a fresh model on ``train`` positions; early-stop on ``val`` when it is not empty.

        Returns the model (best weights), the best epoch count and the best validation Kendall.
        """
        import torch
        from scipy.stats import kendalltau
        from torch_geometric.data import Batch

        from predictors.gnn.losses import LOSSES

        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        extra_dim = graphs[0].u.shape[1] if "u" in graphs[0] else 0
        model = self._new_model(graphs[0].x.shape[1], extra_dim).to(device)
        opt = torch.optim.AdamW(model.parameters(), lr=self.learning_rate,
                                weight_decay=self.weight_decay)
        # cosine decay to zero over the schedule: the last epochs polish instead of bouncing
        steps_per_epoch = max(1, -(-len(train) // int(self.batch_size)))
        sched = (torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)
                 if self.lr_schedule == "cosine" else torch.optim.lr_scheduler.ConstantLR(opt, 1.0))
        loss_fn = LOSSES[self.loss]
        target = torch.as_tensor(z, dtype=torch.float32, device=device)
        val_graphs = [graphs[i] for i in val]
        best = (-np.inf, 0, None)
        since = 0
        bs = int(self.batch_size)
        for epoch in range(1, epochs + 1):
            model.train()
            order = train[torch.randperm(len(train), generator=gen).numpy()]
            for i in range(0, len(order), bs):
                idx = order[i : i + bs]
                if len(idx) < 2:
                    continue  # a lone arch gives no pair and a noisy step
                batch = Batch.from_data_list([graphs[j] for j in idx]).to(device)
                loss = loss_fn(model(batch), target[idx], margin=self.margin)
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
            if len(val):
                tau = kendalltau(z[val], self._scores(model, val_graphs, device)).statistic
                tau = -1.0 if not np.isfinite(tau) else float(tau)
                if tau > best[0]:
                    best = (tau, epoch, copy.deepcopy(model.state_dict()))
                    since = 0
                else:
                    since += 1
                    if since >= self.patience:
                        break
        if best[2] is not None:
            model.load_state_dict(best[2])
            return model, best[1], best[0]
        return model, epochs, float("nan")

    def _fit(self, archs: list[Any], y: np.ndarray) -> None:
        self._check_params()
        device = self._device()
        seed = 0 if self.random_state is None else int(self.random_state)
        with torch_threads(self.n_jobs):
            graphs = self._graphs(archs, fit=True)
            z = normal_scores(y)
            n = len(archs)
            rng = np.random.default_rng(seed)
            n_val = int(round(self.validation_fraction * n))
            if n_val >= 4 and n - n_val >= 4:
                perm = rng.permutation(n)
                val, train = np.sort(perm[:n_val]), np.sort(perm[n_val:])
            else:  # too few archs to hold any out: train the full schedule
                val, train = np.zeros(0, dtype=np.int64), np.arange(n)
            per_epoch = max(1, -(-len(train) // int(self.batch_size)))
            epochs = max(1, min(int(self.epochs), int(self.max_steps) // per_epoch))
            models, self.best_epochs_, self.validation_kendalls_ = [], [], []
            for j in range(int(self.members)):
                member_seed = seed + MEMBER_SEED_STEP * j
                model, best_epoch, tau = self._train(graphs, z, train, val, epochs, member_seed, device)
                if self.refit and len(val):
                    model, _, _ = self._train(graphs, z, np.arange(n), np.zeros(0, dtype=np.int64),
                                              best_epoch, member_seed, device)
                models.append(model.cpu() if device.type != "cpu" else model)
                self.best_epochs_.append(best_epoch)
                self.validation_kendalls_.append(tau)
            self.best_epoch_, self.validation_kendall_ = self.best_epochs_[0], self.validation_kendalls_[0]
            self.models_ = models
            self.model_ = models[0]
            self.in_dim_ = int(graphs[0].x.shape[1])
            raw = [self._scores(m, graphs, "cpu") for m in models]
            self.member_scale_ = [(float(r.mean()), float(r.std()) or 1.0) for r in raw]
            self.target_map_ = _QuantileMap(self._combined(raw), y)

    def _combined(self, raw: list[np.ndarray]) -> np.ndarray:
        """The members' scores, each standardised by its training-set mean and spread, averaged."""
        if len(raw) == 1:
            return raw[0]
        return np.mean([(r - m) / s for r, (m, s) in zip(raw, self.member_scale_)], axis=0)

    def _predict(self, archs: list[Any]) -> np.ndarray:
        with torch_threads(self.n_jobs):
            graphs = self._graphs(archs, fit=False)
            if graphs[0].x.shape[1] != self.in_dim_:
                raise PredictorInputError(
                    f"archs give node features of width {graphs[0].x.shape[1]}, the model was fitted "
                    f"on width {self.in_dim_}: predict on archs of the space it was fitted on"
                )
            return self.target_map_(self._combined([self._scores(m, graphs, "cpu") for m in self.models_]))
