"""What the NAS-Bench-Graph bank stores share: rows are the trained architectures, keyed as in ``nbgraph``.

A bank recipe (``nbgraph_enzymes_bank``, ``nbgraph_cora_bank``) names its folder under
``data/bank/``, its dataset, its splits in words and how to describe the training recipe;
``bank_recipe`` makes the ``Recipe``. Rows are the canonical forms of the trained architectures in
NAS-Bench-Graph key order (an int arch is a key, as in the ``nbgraph`` store); an untrained
architecture is not in the store. Columns: ``nasbench.recipes._bank.bank_columns``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from nasbench.recipes._bank import bank_columns, bank_status, read_bank
from nasbench.recipes.base import Part, Recipe
from nasbench.spaces.nbgraph import SPACE
from nasbench.store import Column


def trained_archs(folder: Path) -> list[str]:
    """The trained architectures of a bank folder, canonical, in key order (the store's rows)."""
    _, records = read_bank(folder)
    return sorted({SPACE.canonical(r["arch"]) for r in records}, key=SPACE.key)


def _read(paths: list[Path], archs: list[str], folder: Path, dataset: str,
          describe: Callable[[dict], str], splits: dict[str, str]) -> list[Column]:
    del paths
    row = {a: i for i, a in enumerate(archs)}

    def row_of(rec: dict) -> int:
        canonical = SPACE.canonical(rec["arch"])
        if canonical not in row:
            raise ValueError(f"bank record: arch {rec['arch']!r} is not a row of this store")
        return row[canonical]

    return bank_columns(folder, len(archs), row_of, dataset, describe, splits)


def bank_recipe(name: str, folder: Path, dataset: str, describe: Callable[[dict], str],
                splits: dict[str, str], description: str) -> Recipe:
    """The ``Recipe`` of the store ``name`` built from the bank results in ``folder``."""
    return Recipe(
        name=name,
        space="nbgraph",
        archs=partial(trained_archs, folder),
        parts=[Part(f"{name.replace('_', '-')}-results", (),
                    partial(_read, folder=folder, dataset=dataset, describe=describe,
                            splits=splits),
                    f"the project's own bank run ({folder.relative_to(folder.parents[2])}, "
                    "`nasbench build-bank`)")],
        official_index=False,
        results_dir=folder,
        description=f"{description} {bank_status(folder)}",
    )
