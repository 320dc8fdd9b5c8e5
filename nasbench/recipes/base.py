"""Recipes: published raw files -> one store.

A ``Recipe`` builds one benchmark's store. It lists the architectures (row order; read from raw
files named in ``arch_sources`` where the list comes from the data) and a list of ``Part``s, one
per published source; each part reads its sha256-pinned raw files and returns
``Column``s aligned with those rows. ``Recipe.build`` verifies every file first (so a wrong file
fails before any work), runs the parts with a progress bar, and writes the store atomically.

A recipe module (``nasbench/recipes/<name>.py`` or a package ``<name>/``) exposes ``RECIPE``.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from nasbench.sources import Source
from nasbench.store import Column, write_store
from nasbench.vocab import zc_metric

#: a part's reader: (verified paths of its sources, in order; the store's archs) -> columns
Reader = Callable[[list[Path], list[str]], list[Column]]


@dataclass(frozen=True)
class Part:
    """One published source of a store: its raw files and the function that reads them."""

    name: str
    sources: tuple[Source, ...]
    read: Reader
    description: str = ""


@dataclass
class Recipe:
    """How to build one store.

    Attributes:
        name: the store's name (``nasbench.load(name)``).
        space: the search space name.
        archs: the arch strings in row order: ``archs()``, or, when the list is read from raw
            files, ``archs(paths)`` with the verified paths of ``arch_sources`` (so a build
            with ``root=`` reads them under that root).
        parts: the sources.
        description: a paragraph shown by ``nasbench info``.
        official_index: True if row i is the benchmark's official index i.
        extra_sources: raw files read outside the parts (e.g. an official order), recorded in
            the store's provenance.
        arch_sources: raw files the arch list is read from; each must also be a source of a
            part or of ``extra_sources`` (the provenance lists it there).
        results_dir: for a store built from the project's own computed results (proxy runs,
            trained banks: a folder under ``data/``), that folder. Its content digest is recorded
            in the provenance, so ``nasbench build`` rebuilds the store when results are added.
    """

    name: str
    space: str
    archs: Callable[..., list[str]]
    parts: Sequence[Part]
    description: str = ""
    official_index: bool = True
    extra_sources: Sequence[Source] = field(default_factory=tuple)
    arch_sources: Sequence[Source] = field(default_factory=tuple)
    results_dir: Path | None = None

    @property
    def sources(self) -> list[Source]:
        """Every raw file this recipe reads."""
        return [*self.extra_sources, *(s for p in self.parts for s in p.sources)]

    def results_provenance(self) -> list[dict[str, str]]:
        """The provenance entry of ``results_dir`` (empty without one): its path relative to the
        project and a sha256 over its files' names and digests."""
        if self.results_dir is None:
            return []
        return [{"part": "results", "path": _project_relative(self.results_dir),
                 "sha256": folder_digest(self.results_dir),
                 "note": "the project's own computed results"}]

    def arch_list(self, root: str | Path | None = None) -> list[str]:
        """The store's arch strings in row order, reading ``arch_sources`` under ``root``
        (None = ``$NASBENCH_DATA``)."""
        if not self.arch_sources:
            return self.archs()
        return self.archs([s.verified_path(root) for s in self.arch_sources])

    def build(self, out: str | Path, *, progress: bool = True, root: str | Path | None = None) -> Path:
        """Build the store at ``out`` (atomically) and return its path.

        Raises:
            SourceMissingError / ChecksumError: a raw file is missing or differs from its pin;
                raised before anything is written.
        """
        from tqdm.auto import tqdm

        paths = {id(p): [s.verified_path(root) for s in p.sources] for p in self.parts}
        for s in self.extra_sources:
            s.verified_path(root)
        archs = self.arch_list(root)
        columns: list[Column] = []
        bar = tqdm(self.parts, desc=f"build {self.name}", unit="source", disable=not progress)
        for part in bar:
            bar.set_postfix_str(part.name)
            for col in part.read(paths[id(part)], archs):
                col.source = col.source or part.name
                columns.append(col)
        provenance = [{**s.as_dict(), "part": ""} for s in self.extra_sources]
        provenance += [{**s.as_dict(), "part": p.name} for p in self.parts for s in p.sources]
        provenance += self.results_provenance()
        provenance.append(code_provenance())
        return write_store(
            out,
            name=self.name,
            space=self.space,
            archs=archs,
            columns=columns,
            sources=provenance,
            description=self.description,
            official_index=self.official_index,
        )


#: the code that turns raw files into a store, relative to the ``nasbench`` package
BUILD_CODE = ("recipes", "readers", "spaces", "store.py")


@lru_cache(maxsize=1)
def code_provenance() -> dict[str, str]:
    """The provenance entry (part ``code``) of the code that builds stores: a sha256 over the
    syntax trees of the ``BUILD_CODE`` modules (docstrings and comments left out), so a store
    built by other code (an older recipe, reader or space) is rebuilt, not read as if current
    (``nasbench.rebuild_reason``)."""
    import json

    from nasbench.config import store_dir

    package = Path(__file__).resolve().parent.parent
    files = [f for entry in BUILD_CODE for f in (
        sorted((package / entry).rglob("*.py")) if (package / entry).is_dir() else [package / entry])]
    texts = {f.relative_to(package).as_posix(): f.read_bytes() for f in files}
    raw = hashlib.sha256(b"".join(k.encode() + b"\0" + v for k, v in texts.items())).hexdigest()
    # parsing every module takes most of a second: remembered per exact source bytes
    memo = store_dir() / ".code-digest.json"
    try:
        known = json.loads(memo.read_text())
    except (OSError, ValueError):
        known = {}
    if known.get("raw") != raw:
        h = hashlib.sha256()
        for name, text in texts.items():
            h.update(f"{name}\0{_code_of(text.decode())}\n".encode())
        known = {"raw": raw, "code": h.hexdigest()}
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            memo.write_text(json.dumps(known))
        except OSError:
            pass  # a read-only store folder: parse again next time
    return {"part": "code", "path": "nasbench/{" + ",".join(BUILD_CODE) + "}",
            "sha256": known["code"], "note": "the code that built this store"}


def _code_of(source: str) -> str:
    """The syntax tree of a module without its docstrings (comments are not in it): what a
    store depends on, so an edit to the prose alone rebuilds nothing."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def folder_digest(folder: Path) -> str:
    """sha256 over the sorted (relative name, sha256) of every file below ``folder``; the digest
    of an empty string when the folder does not exist."""
    from nasbench.sources import sha256_of

    h = hashlib.sha256()
    if folder.is_dir():
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(f"{f.relative_to(folder).as_posix()}\0{sha256_of(f)}\n".encode())
    return h.hexdigest()


def _project_relative(folder: Path) -> str:
    from nasbench.config import PROJECT_ROOT

    try:
        return Path(folder).resolve().relative_to(PROJECT_ROOT.resolve()).as_posix()
    except ValueError:
        return str(folder)


def align(
    keys: Sequence[str], values: np.ndarray, archs: Sequence[str], *, what: str
) -> np.ndarray:
    """Rows of ``values`` (keyed by arch string) placed at the store's rows; NaN elsewhere.

    Shapes:
        keys: ``(k,)``; values: ``(k, ...)``; archs: ``(n,)``; returns ``(n, ...)``.

    Raises:
        ValueError: a key is not among the store's archs, or appears twice.
    """
    values = np.asarray(values, dtype=np.float64)
    row = _row_of(tuple(archs))
    out = np.full((len(archs), *values.shape[1:]), np.nan)
    seen = np.zeros(len(archs), dtype=bool)
    for k, v in zip(keys, values):
        i = row.get(k)
        if i is None:
            raise ValueError(f"{what}: arch {k!r} is not in the store's arch list")
        if seen[i]:
            raise ValueError(f"{what}: arch {k!r} appears twice")
        seen[i] = True
        out[i] = v
    return out


@lru_cache(maxsize=4)
def _row_of(archs: tuple[str, ...]) -> dict[str, int]:
    """arch -> row, built once per arch list: every part of a build aligns against the same one."""
    return {a: i for i, a in enumerate(archs)}


def zc_column(dataset: str, proxy: str, values: np.ndarray, description: str,
              unit: str = "score") -> Column:
    """A zero-cost proxy column ``zc/<proxy>``: one score per arch at initialisation (no split,
    no training budget, one computation), higher = better in NAS-Bench-Suite-Zero's use; ``unit``
    where the score is a quantity (the project's own params / flops)."""
    return Column(
        dataset=dataset,
        metric=zc_metric(proxy),
        values=values,
        unit=unit,
        split="",
        budget=None,
        aggregation="single",
        description=description,
        direction="max",
    )
