"""Transfer of GNN predictors across datasets and search spaces (GENNAPE / AIO-P style).

A model is trained on one benchmark's labels (the *source*) and used on another (the *target*):

* **zero-shot**: the source model scores target archs as they are (``zero_shot``); across spaces
  both sides use ``vocab="shared"`` (``predictors.gnn.graphs.SHARED_KINDS``), so NB201's
  ``nor_conv_3x3`` and NB101's ``conv3x3-bn-relu`` are one input column;
* **few-shot**: the source model's weights start a fit on a few labelled target archs
  (``GNNPredictor(init_model=source.model_)``), against the same GNN trained from scratch on the
  same archs (and ``xgb-plus`` on them, for reference).

``run`` does the study under fixed seeds: per seed, the test archs of the target and the few-shot
archs are drawn as in ``predictors.evaluate`` (test first, then the training archs), the source
model is trained once on ``source_size`` archs of the source drawn from the same seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["zero_shot", "run"]


def zero_shot(model: Any, space: Any, archs: Sequence[Any]) -> np.ndarray:
    """Raw scores of a fitted ``GNNPredictor`` for ``archs`` of ``space`` (any space whose graphs
    have the model's node feature width, e.g. another space with ``vocab="shared"``).

    The scores rank the archs; they are not on any target's scale.

    Shapes:
        returns ``(len(archs),)``.
    """
    from predictors.base import PredictorInputError, resolve_space
    from predictors.gnn.graphs import to_pyg_list

    graphs = to_pyg_list(resolve_space(space), list(archs), vocab=model.vocab)
    width = model.model_.encoder.embed.in_features
    if graphs and graphs[0].x.shape[1] != width:
        raise PredictorInputError(
            f"the model reads node features of width {width}, {resolve_space(space).name} archs give "
            f"{graphs[0].x.shape[1]}: fit the source model with vocab='shared'"
        )
    return model._scores(model.model_, graphs, "cpu")


def _draw(bench: Any, dataset: str, target: str, seed: int, test_size: int, n_train: int):
    from predictors.evaluate import candidates

    rows, y = candidates(bench, dataset, target)
    perm = np.random.default_rng(seed).permutation(len(rows))
    archs = np.asarray(bench.archs, dtype=object)[rows]
    test, train = perm[:test_size], perm[test_size : test_size + n_train]
    return archs[test].tolist(), y[test], archs[train].tolist(), y[train]


def run(
    source: tuple[str, str, str],
    target: tuple[str, str, str],
    *,
    source_size: int = 1000,
    shots: Sequence[int] = (10, 50),
    test_size: int = 1000,
    seeds: Sequence[int] = (0, 1, 2),
    vocab: str = "shared",
    gnn_params: dict[str, Any] | None = None,
    baseline: str | None = "xgb-plus",
) -> pd.DataFrame:
    """The transfer study: one row per (seed, shots, method) with Spearman and Kendall.

    Args:
        source, target: ``(store, dataset, target metric)``, e.g. ``("nb101", "cifar10",
            "valid_accuracy")`` and ``("nb201", "cifar10", "test_accuracy")``.
        source_size: labelled source archs the source model is trained on.
        shots: labelled target archs for few-shot fine-tuning (0 = zero-shot is always reported).
        test_size: target test archs.
        seeds: one study per seed (splits, weights).
        vocab: node features, ``"shared"`` across spaces (``"own"`` suffices within a space).
        gnn_params: ``GNNPredictor`` parameters of every GNN here (default: the ``gnn`` default).
        baseline: a registry name trained from scratch on the few shots for reference (or None).

    Returns:
        DataFrame with columns seed, shots, method (``zero-shot``, ``fine-tuned``, ``scratch``,
        the baseline's name), spearman, kendall, source_spearman (the source model on the
        source's own test archs).
    """
    import pandas as pd

    from predictors import registry
    from predictors.base import open_bench
    from predictors.gnn.model import GNNPredictor
    from predictors.metrics import kendall, spearman

    params = dict(gnn_params or {})
    sb, tb = open_bench(source[0]), open_bench(target[0])
    out = []
    for seed in seeds:
        s_test, s_ytest, s_train, s_y = _draw(sb, source[1], source[2], seed, test_size, source_size)
        src = GNNPredictor(space=sb.space.name, vocab=vocab, random_state=seed, **params).fit(s_train, s_y)
        src_rho = spearman(s_ytest, src.predict(s_test))
        t_test, t_ytest, t_train, t_y = _draw(tb, target[1], target[2], seed, test_size, max(shots))

        def row(shot: int, method: str, pred: np.ndarray, seed: int = seed, y: np.ndarray = t_ytest,
                src_rho: float = src_rho) -> dict[str, Any]:
            return {"seed": seed, "shots": shot, "method": method, "spearman": spearman(y, pred),
                    "kendall": kendall(y, pred), "source_spearman": src_rho}

        out.append(row(0, "zero-shot", zero_shot(src, tb.space.name, t_test)))
        for shot in shots:
            xs, ys = t_train[:shot], t_y[:shot]
            tuned = GNNPredictor(space=tb.space.name, vocab=vocab, init_model=src.model_,
                                 random_state=seed, **params).fit(xs, ys)
            out.append(row(shot, "fine-tuned", tuned.predict(t_test)))
            scratch = GNNPredictor(space=tb.space.name, vocab=vocab, random_state=seed, **params).fit(xs, ys)
            out.append(row(shot, "scratch", scratch.predict(t_test)))
            if baseline:
                base = registry.make(baseline, bench=tb, dataset=target[1], random_state=seed)
                out.append(row(shot, baseline, base.fit(xs, ys).predict(t_test)))
    return pd.DataFrame(out)
