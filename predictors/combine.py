"""Training-free combinations of zero-cost proxies: archs ranked without reading one label.

A single zero-cost proxy sees one side of a network (its gradients, its activations, its size).
AZ-NAS (Lee & Ham, CVPR 2024) showed that adding up the *log-ranks* of several such views,
``sum_k log(rank_k / n)`` over a population of ``n`` archs, orders NB201 better than any one of
them, with no label and no weight to fit; VKDNW (CVPR 2025) does the same with its own proxy
(``vkdnw_agg``: Spearman 0.919 on NB201 CIFAR-10, the best published training-free number). The
log makes the sum punish an arch that any one view ranks near the bottom.

This module applies that aggregation to any set of the toolkit's proxies:

    >>> from predictors.combine import ZCAggregatePredictor, rank_combination
    >>> model = ZCAggregatePredictor(bench="nb201_zc", dataset="cifar10")   # STRONG proxies
    >>> model.fit(archs).predict(archs)         # higher = predicted better; fit reads no label
    >>> rank_combination({"zc/meco": m, "zc/zico": z})   # from arrays, one value per arch

``STRONG`` (the default set) is fixed by the literature, not tuned on labels: AZ-NAS's four
components (expressivity, progressivity, trainability, complexity) plus the four recent single
proxies that issue 9 lists as "the stronger recent ones" (GradSign, ZiCo, MeCo, SWAP). Every other
combination that was measured is reported next to it (``predictors.reproduce.zc_headlines``), so
the choice can be judged by a reader who does not trust it.

Conventions:

* The ranks are taken **within the archs asked for** (``predict(archs)``): the score is a
  population statistic, as in AZ-NAS, so the same arch gets another score in another population;
  the order within a population is what it predicts.
* A proxy that is NaN for an arch *inside* the population (undefined there: an image-independent
  network, a failed pass) ranks that arch lowest on that proxy (AZ-NAS's ``-inf``); an arch with
  no proxy at all is refused (``PredictorInputError``) rather than ranked.
* Every proxy counts in its store direction (negated where the store says lower is better);
  there are no weights. RoBoT (``predictors.robot``) is the labelled
  counterpart: it fits one weight per proxy from a few labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.utils import Tags

from nasbench.recipes._zc import rank_aggregate
from nasbench.vocab import zc_metric
from predictors.base import (
    Predictor,
    PredictorInputError,
    RankerMixin,
    as_arch_list,
    open_bench,
    proxy_names,
    table_features,
)

__all__ = ["STRONG", "ZCAggregatePredictor", "rank_combination"]

#: the default set: AZ-NAS's components and the recent single proxies GradSign, ZiCo, MeCo, SWAP
STRONG = (
    "az_nas.expressivity", "az_nas.progressivity", "az_nas.trainability", "az_nas.complexity",
    "gradsign", "zico", "meco", "swap",
)


def rank_combination(columns: Mapping[str, Any] | Sequence[Any]) -> np.ndarray:
    """AZ-NAS's log-rank sum of several proxies over one population of archs.

    Args:
        columns: the proxies' values, one array per proxy (a mapping name -> array, or a list),
            each ``(n,)`` over the same ``n`` archs, higher = better.

    Returns:
        ``(n,)`` float64 scores, higher = predicted better; NaN for an arch with no finite value
        in any column (it is outside the population).
    """
    arrays = list(columns.values()) if isinstance(columns, Mapping) else list(columns)
    if not arrays:
        raise PredictorInputError("rank_combination needs at least one proxy column")
    return rank_aggregate([np.asarray(a, dtype=np.float64) for a in arrays])


class ZCAggregatePredictor(RankerMixin, Predictor):
    """Rank archs by the log-rank sum of stored zero-cost proxies (module docstring); no labels.

    Args:
        bench: store name, path or ``nasbench.Benchmark`` holding ``zc/<proxy>`` columns (the
            toolkit's own tables: ``nb201_zc``, ``nb101_zc``, ...).
        dataset: the dataset the proxies were computed for.
        proxies: proxy names (with or without ``zc/``); None: ``STRONG``, or every proxy of the
            store if it has none of them (Suite-Zero's published columns, for instance).

    Attributes (after ``fit``):
        proxies_: the ``zc/<proxy>`` metrics combined.
    """

    def __init__(self, bench: Any = None, dataset: str | None = None,
                 proxies: Sequence[str] | None = None) -> None:
        self.bench = bench
        self.dataset = dataset
        self.proxies = proxies

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags

    def _chosen(self) -> list[str]:
        if self.bench is None or self.dataset is None:
            raise PredictorInputError(
                "ZCAggregatePredictor reads stored proxies: pass bench= (e.g. 'nb201_zc') and "
                "dataset= (e.g. 'cifar10')"
            )
        if self.proxies is not None:
            return proxy_names(self.bench, self.dataset, self.proxies)
        available = proxy_names(self.bench, self.dataset, None)
        strong = [zc_metric(p) for p in STRONG if zc_metric(p) in available]
        return strong or available

    def _fit(self, archs: list[Any], y: np.ndarray | None) -> None:
        self.proxies_ = self._chosen()
        b = open_bench(self.bench)
        self.signs_ = np.array([-1.0 if b.describe(self.dataset, m).direction == "min" else 1.0
                                for m in self.proxies_])

    def _predict(self, archs: list[Any]) -> np.ndarray:
        archs = as_arch_list(archs)
        X = table_features(open_bench(self.bench), self.dataset, self.proxies_, archs)
        score = rank_combination(list((X * self.signs_).T))
        bad = np.flatnonzero(np.isnan(score))
        if bad.size:
            raise PredictorInputError(
                f"{len(bad)} of {len(archs)} archs have none of the proxies "
                f"{', '.join(self.proxies_)} (first: {archs[bad[0]]!r}); restrict to archs that "
                f"have them (evaluate(..., restrict=[{self.proxies_[0]!r}]))"
            )
        return score
