"""Training losses of the GNN predictors: regression, pairwise ranking and listwise ranking.

Each loss takes the model's scores and the (transformed) targets of one mini-batch and returns a
scalar. ``LOSSES`` maps the names ``GNNPredictor(loss=...)`` accepts to them:

* ``"mse"``: mean squared error on the target (regression, as NASLib's GCN / BANANAS);
* ``"hinge"``: pairwise hinge on every ordered pair of the batch, ``max(0, m - (s_i - s_j))`` for
  ``y_i > y_j`` (GATES, with margin ``m = 0.1``);
* ``"logistic"``: pairwise logistic (RankNet), ``log(1 + exp(-(s_i - s_j)))`` for ``y_i > y_j``;
* ``"listwise"``: ListMLE (Xia et al. 2008), the negative Plackett-Luce log-likelihood of the
  true order of the batch.

Shapes:
    scores, y: ``(b,)``; each returns a 0-dim tensor.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["LOSSES", "mse", "pairwise_hinge", "pairwise_logistic", "listmle"]


def mse(scores: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error."""
    return torch.nn.functional.mse_loss(scores, y)


def _pairs(scores: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Score differences ``s_i - s_j`` over the pairs with ``y_i > y_j``; their mask."""
    diff = scores.unsqueeze(1) - scores.unsqueeze(0)
    better = y.unsqueeze(1) > y.unsqueeze(0)
    return diff, better


def pairwise_hinge(scores: torch.Tensor, y: torch.Tensor, margin: float = 0.1) -> torch.Tensor:
    """Mean of ``max(0, margin - (s_i - s_j))`` over pairs with ``y_i > y_j``."""
    diff, better = _pairs(scores, y)
    if not better.any():
        return scores.sum() * 0.0
    return torch.relu(margin - diff[better]).mean()


def pairwise_logistic(scores: torch.Tensor, y: torch.Tensor, margin: float = 0.0) -> torch.Tensor:
    """Mean of ``log(1 + exp(margin - (s_i - s_j)))`` over pairs with ``y_i > y_j`` (RankNet)."""
    diff, better = _pairs(scores, y)
    if not better.any():
        return scores.sum() * 0.0
    return torch.nn.functional.softplus(margin - diff[better]).mean()


def listmle(scores: torch.Tensor, y: torch.Tensor, margin: float = 0.0) -> torch.Tensor:
    """ListMLE: ``sum_i [logsumexp(s over ranks >= i) - s at rank i]`` with ranks by ``y``, best first.

    Divided by the batch size so its scale does not grow with the batch.
    """
    order = torch.argsort(y, descending=True, stable=True)
    s = scores[order]
    # log of the sum of exp over each suffix: reverse, cumulative logsumexp, reverse back
    tail = torch.flip(torch.logcumsumexp(torch.flip(s, [0]), 0), [0])
    return (tail - s).mean()


#: loss name -> function(scores, y[, margin])
LOSSES: dict[str, Callable[..., torch.Tensor]] = {
    "mse": lambda s, y, margin=0.0: mse(s, y),
    "hinge": pairwise_hinge,
    "logistic": pairwise_logistic,
    "listwise": listmle,
}
