"""Torch networks: the network each benchmark trained, built from an architecture of its space.

::

    >>> from predictors import networks
    >>> net = networks.build("nb201", "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|avg_pool_3x3~2|", "cifar10")
    >>> networks.dataset_info("ImageNet16-120")
    (120, (3, 16, 16))

``build(space, arch, dataset, **kwargs)`` looks the space up in ``SPACES`` and calls
``predictors.networks.<module>.build(arch, dataset, **kwargs)``; each module documents its own
keyword overrides (NB201: ``C`` and ``N``). The space module in ``nasbench.spaces`` owns the wiring
facts (cell edges, channel plans); a builder here never parses a string itself.

Importing this package imports no torch: the builder modules are imported on first use, and
``import nasbench`` never imports this package.
"""

from __future__ import annotations

import importlib
from typing import Any

#: space name -> builder module under ``predictors.networks``. SpikeNAS reuses NB201's network and
#: maps to the NB201 builder, which converts the arch to an NB201 cell; TransNAS micro has NB201's
#: cell in TransNAS's own backbone, built by ``transnas_macro``.
SPACES: dict[str, str] = {
    "nb201": "nb201",
    "nats_tss": "nb201",
    "transnas_micro": "transnas_macro",  # same cell as NB201, TransNAS's own backbone
    "spikenas": "nb201",
    "nb101": "nb101",
    "darts": "darts",
    "nb301": "darts",
    "nbmacro": "nbmacro",
    "nats_sss": "nats_sss",
    "transnas_macro": "transnas_macro",
    "nbgraph": "nbgraph",
}

#: spaces whose archs are converted with their space's ``to_nb201`` before the NB201 builder
_VIA_NB201 = ("spikenas",)

#: dataset -> (number of classes, input shape (C, H, W)); graph datasets are described by their
#: builder module (node features come with the graph), so they are not listed here.
DATASETS: dict[str, tuple[int, tuple[int, int, int]]] = {
    "cifar10": (10, (3, 32, 32)),
    "cifar10-valid": (10, (3, 32, 32)),
    "cifar100": (100, (3, 32, 32)),
    "ImageNet16-120": (120, (3, 16, 16)),
    "mnist": (10, (1, 28, 28)),
    # NAS-Bench-360 tasks NAS-Bench-Suite-Zero ran (NASLib's class counts and input shapes; the
    # nb301 store's NASLib params for these equal the DARTS builder's counts)
    "svhn": (10, (3, 32, 32)),
    "scifar100": (100, (3, 60, 60)),
    "ninapro": (18, (1, 16, 52)),
}


def dataset_info(dataset: str) -> tuple[int, tuple[int, int, int]]:
    """``(num_classes, input_shape)`` of an image dataset, input shape as ``(C, H, W)``.

    Raises:
        KeyError: unknown dataset; the message lists the known ones.
    """
    try:
        return DATASETS[dataset]
    except KeyError:
        raise KeyError(
            f"unknown dataset {dataset!r} for a network; use one of {', '.join(DATASETS)}"
        ) from None


def build(space: str, arch: Any, dataset: str, **kwargs: Any) -> Any:
    """The ``torch.nn.Module`` the benchmark of ``space`` trained for ``arch`` on ``dataset``.

    Args:
        space: a space name, one of ``SPACES`` (e.g. ``"nb201"``).
        arch: an architecture in any form the space accepts (string, cell object, index).
        dataset: a dataset name (``DATASETS`` for images; graph spaces name their own).
        **kwargs: builder-specific overrides (NB201: ``C=16, N=5``).

    Raises:
        KeyError: unknown space (the message lists the known ones) or unknown dataset.
        ValueError: malformed architecture (from the space's parser).
    """
    try:
        module = SPACES[space]
    except KeyError:
        raise KeyError(
            f"no network builder for space {space!r}; use one of {', '.join(SPACES)}"
        ) from None
    if space in _VIA_NB201:
        # the cell is NB201's: the space converts its own string, the NB201 builder builds it
        arch = importlib.import_module(f"nasbench.spaces.{space}").SPACE.to_nb201(arch)
    return importlib.import_module(f"predictors.networks.{module}").build(arch, dataset, **kwargs)


__all__ = ["SPACES", "DATASETS", "build", "dataset_info"]
