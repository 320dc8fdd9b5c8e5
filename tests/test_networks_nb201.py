"""The NB201 network: parameter counts equal the benchmark's published ones, outputs have the
right shape, and the builder dispatch fails with one-line messages."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nasbench.spaces.nb201 import SPACE  # noqa: E402
from predictors import networks  # noqa: E402

ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
ALL_CONV = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def _params(net: torch.nn.Module) -> float:
    return sum(p.numel() for p in net.parameters()) / 1e6


def test_params_equal_published_on_a_seeded_sample(nb201):
    rng = np.random.default_rng(0)
    idx = sorted(set(rng.choice(SPACE.size, 300, replace=False).tolist()) | {
        SPACE.index(ALL_NONE), SPACE.index(ALL_CONV)})
    published = nb201.query([SPACE.arch_at(i) for i in idx], "cifar10", "params")
    ours = np.array([_params(networks.build("nb201", i, "cifar10")) for i in idx])
    np.testing.assert_allclose(ours, published, rtol=0, atol=1e-6)
    # the extremes are the published smallest and largest network
    assert _params(networks.build("nb201", ALL_CONV, "cifar10")) == pytest.approx(1.531546, abs=1e-6)
    assert _params(networks.build("nb201", ALL_NONE, "cifar10")) == pytest.approx(0.073306, abs=1e-6)


@pytest.mark.parametrize("dataset", ["cifar100", "ImageNet16-120"])
def test_params_equal_published_other_datasets(nb201, dataset):
    idx = np.random.default_rng(1).choice(SPACE.size, 40, replace=False).tolist() + [
        SPACE.index(ALL_CONV)]
    published = nb201.query([SPACE.arch_at(i) for i in idx], dataset, "params")
    ours = np.array([_params(networks.build("nb201", i, dataset)) for i in idx])
    np.testing.assert_allclose(ours, published, rtol=0, atol=1e-6)


@pytest.mark.parametrize("dataset,shape,classes", [
    ("cifar10", (3, 32, 32), 10), ("cifar10-valid", (3, 32, 32), 10),
    ("cifar100", (3, 32, 32), 100), ("ImageNet16-120", (3, 16, 16), 120), ("mnist", (1, 28, 28), 10),
])
def test_forward_shape(dataset, shape, classes):
    assert networks.dataset_info(dataset) == (classes, shape)
    net = networks.build("nb201", 6111, dataset)
    out = net(torch.randn(3, *shape))
    assert out.shape == (3, classes)
    assert net.pre_gap(torch.randn(2, *shape)).shape[1] == 64


def test_reduced_network_for_the_bank():
    net = networks.build("nb201", 6111, "cifar10", C=8, N=1)
    assert len(net.cells) == 1 + 1 + 1 + 1 + 1  # 3 stages of one cell and 2 reduction blocks
    assert net(torch.randn(2, 3, 16, 16)).shape == (2, 10)
    assert _params(net) < _params(networks.build("nb201", 6111, "cifar10")) / 10


def test_all_none_cell_ignores_its_input():
    net = networks.build("nb201", ALL_NONE, "cifar10").train()
    out = net(torch.randn(4, 3, 32, 32))
    assert torch.all(out == out[:1])


def test_nats_tss_is_the_nb201_network():
    a = networks.build("nats_tss", ALL_CONV, "cifar10")
    b = networks.build("nb201", ALL_CONV, "cifar10")
    assert _params(a) == _params(b) == pytest.approx(1.531546, abs=1e-6)


def test_errors_name_what_exists():
    with pytest.raises(KeyError, match="no network builder for space 'nope'; use one of nb201"):
        networks.build("nope", 0, "cifar10")
    with pytest.raises(KeyError, match="unknown dataset 'imagenet'.*ImageNet16-120"):
        networks.build("nb201", 0, "imagenet")
    with pytest.raises(ValueError, match="unknown op 'conv'"):
        networks.build("nb201", "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "cifar10")


def test_importing_networks_does_not_import_torch():
    code = ("import sys, nasbench, predictors.networks, predictors.zero_cost; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
