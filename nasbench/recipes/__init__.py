"""Recipes that turn published raw files into stores; one module (or package) per benchmark.

``get(name)`` returns a benchmark's ``Recipe``; ``available()`` lists them. Adding
``nasbench/recipes/<name>.py`` (or ``<name>/__init__.py``) with a ``RECIPE`` registers a benchmark.
A leading underscore marks a module that is not a recipe but what several recipes share
(``_zc``: the proxy-table reader every ``<store>_zc`` recipe uses; ``_bank``: the trained-bank
reader). Those are part of the package's interface to ``predictors`` and ``benchmarks``, which
import them (the proxy run writes exactly what ``_zc`` reads), not private helpers.
"""

from __future__ import annotations

import importlib
import pkgutil

from nasbench.errors import UnknownNameError
from nasbench.recipes.base import Part, Recipe, align

__all__ = ["Part", "Recipe", "align", "available", "get"]

_NOT_RECIPES = {"base"}


def available() -> list[str]:
    """Names of every benchmark nasbench can build."""
    return sorted(
        m.name
        for m in pkgutil.iter_modules(__path__)
        if not m.name.startswith("_") and m.name not in _NOT_RECIPES
    )


def get(name: str) -> Recipe:
    """The recipe of benchmark ``name``; ``UnknownNameError`` lists the known ones."""
    if name not in available():
        raise UnknownNameError("benchmark", name, available())
    return importlib.import_module(f"nasbench.recipes.{name}").RECIPE
