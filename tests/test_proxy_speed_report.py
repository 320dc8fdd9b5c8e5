"""The proxy speed report's reading, computed from its own numbers (``benchmarks/proxy_speed.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def ps():
    spec = importlib.util.spec_from_file_location("proxy_speed", ROOT / "benchmarks" / "proxy_speed.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_readers_are_the_registry_passes(ps):
    readers = ps._readers(["grad_norm", "zico", "synflow"])
    assert readers == {"data": ["grad_norm", "zico"], "data2": ["zico"], "synflow": ["synflow"]}


def test_verdict_names_the_target_and_the_single_reader_passes(ps):
    readers = {"data": ["grad_norm", "zico"], "data2": ["zico"], "synflow": ["synflow"]}
    line = ps._verdict(9.1, 2.23, 3, {"data": 3.7, "data2": 1.05, "synflow": 0.08}, readers)
    assert line.startswith("Over 3 cells the fused run costs 9.1 forward+backward equivalents, "
                           "2.23x less than each proxy on its own; issue 9's target of at most 5 is NOT met.")
    # the single-reader passes, costliest first, and their sum against the shared ones
    assert "data2 (zico, 1.05), synflow (synflow, 0.08): 1.13 eq together" in line
    assert line.endswith("shared by two or more proxies cost 3.70 eq.")
    # every proxy but GraSP, fused: the sentence says whether the target is then in reach
    assert ps._verdict(9.1, 2.23, 3, {"data": 3.7}, readers, 6.2).endswith(
        "Every proxy but GraSP, fused, costs 6.2 eq: without GraSP the target would still not be met.")
    assert ps._verdict(9.1, 2.23, 3, {"data": 3.7}, readers, 4.9).endswith("the target would be met.")
    # the boundary: exactly the target is met
    assert "target of at most 5 is met" in ps._verdict(5.0, 2.0, 1, {"data": 5.0}, readers)


def test_the_exact_ways_of_forming_grasps_hessian_product_agree(ps):
    # the benchmark's exact alternative (forward-over-reverse) must give the data pass's GraSP
    # score, or its speed comparison would be between different quantities
    import torch

    from predictors import networks
    from predictors.zero_cost import runner

    torch.manual_seed(0)
    net = networks.build("nb201", "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+"
                         "|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|", "cifar10", C=4, N=1)
    inputs = runner.cifar10_inputs(8, 0)
    ways = ps._grasp_ways(net, inputs)
    exact = ways["double backward (exact, used)"]()
    assert exact != 0
    assert ways["forward-over-reverse (exact)"]() == pytest.approx(exact, rel=1e-4)
