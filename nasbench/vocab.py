"""The project's shared vocabulary: facts that recipes and predictors must agree on, each stated once.

* ``ZC_PREFIX`` / ``zc_metric`` / ``is_zc_metric``: a zero-cost proxy is stored as the metric
  ``zc/<proxy>`` (``zc/synflow``), next to the benchmark's own metrics of the same dataset.
* ``NASLIB_FAILURE``: the value NASLib writes when a proxy could not be computed (``-1e8``);
  ``naslib_missing`` turns it into NaN, the stores' "not measured".
* ``PROXY_DESCRIPTIONS``: one phrase per NAS-Bench-Suite-Zero proxy, used in the stores' column
  descriptions (``nasbench info``).

Numpy only, like the rest of ``nasbench``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "ZC_PREFIX",
    "NASLIB_FAILURE",
    "PROXY_DESCRIPTIONS",
    "zc_metric",
    "is_zc_metric",
    "naslib_missing",
]

#: prefix of every zero-cost proxy metric
ZC_PREFIX = "zc/"

#: NASLib's sentinel for a proxy that failed (its zero-cost tables and Suite-Zero's exports)
NASLIB_FAILURE = -1e8

#: proxy name -> what it measures, as the column descriptions say it
PROXY_DESCRIPTIONS = {
    "epe_nas": "EPE-NAS (per-class Jacobian correlation)",
    "fisher": "Fisher (summed channel saliency)",
    "grad_norm": "gradient norm at initialisation",
    "grasp": "GraSP (gradient-signal preservation)",
    "jacov": "Jacobian covariance",
    "l2_norm": "L2 norm of the initial weights",
    "nwot": "NASWOT (log-determinant of the activation-pattern kernel)",
    "plain": "plain saliency (sum of gradient x weight)",
    "snip": "SNIP (connection sensitivity)",
    "synflow": "SynFlow (synaptic flow)",
    "zen": "Zen-NAS score",
}


def zc_metric(proxy: str) -> str:
    """The metric name of a proxy: ``"synflow"`` -> ``"zc/synflow"`` (a ``zc/`` name is kept)."""
    return proxy if proxy.startswith(ZC_PREFIX) else ZC_PREFIX + proxy


def is_zc_metric(metric: str) -> bool:
    """True for a zero-cost proxy metric (``zc/<proxy>``)."""
    return metric.startswith(ZC_PREFIX)


def naslib_missing(values: ArrayLike) -> np.ndarray:
    """A float64 copy of ``values`` with NASLib's failure sentinel replaced by NaN.

    Shapes:
        values: any shape; the result has the same shape.
    """
    out = np.array(values, dtype=np.float64, copy=True)
    out[out == NASLIB_FAILURE] = np.nan
    return out
