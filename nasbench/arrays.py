"""Small numpy helpers shared by the query API, the readers and the recipes.

One home per rule: how several training runs of one architecture become one number.
"""

from __future__ import annotations

import warnings

import numpy as np


def seed_mean(per_seed: np.ndarray, axis: int = 1) -> np.ndarray:
    """Mean over the seeds (runs) that exist, ignoring NaN; NaN where no seed was run.

    This is the rule behind every default query (``seed=None``): an arch run with seeds 777 and
    888 only is the mean of those two runs, and an arch never run is NaN, without numpy's
    "Mean of empty slice" warning.

    Args:
        per_seed: values with one axis of seeds; NaN marks a run that does not exist.
        axis: the seed axis (default 1: rows are archs, columns are seeds).

    Shapes:
        per_seed: ``(n, s, ...)`` with the seed axis at ``axis``; returns the shape without it.
    """
    per_seed = np.asarray(per_seed, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "Mean of empty slice" for unrun archs
        return np.nanmean(per_seed, axis=axis)
