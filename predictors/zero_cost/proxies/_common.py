"""Helpers shared by the proxy modules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch


def layer_sum(
    outputs: Mapping[str, Any], fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
) -> float:
    """Sum over layers of ``fn(weight, grad)`` summed over the layer's elements, from the data
    pass (zero-cost-nas's ``get_layer_metric_array`` followed by its ``sum_arr``)."""
    data = outputs["data"]
    return float(sum(float(fn(w, g).sum()) for w, g in zip(data["weights"], data["grad"])))
