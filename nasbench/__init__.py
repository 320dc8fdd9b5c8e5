"""nasbench: search-free neural architecture evaluation.

Precomputed architecture -> metric tables in one HDF5 format, behind one query API::

    >>> import nasbench
    >>> nasbench.available()                  # benchmarks nasbench can build
    >>> nb = nasbench.load("nb201")           # builds the store from raw files on first use
    >>> nb.query(nb.archs[:5], "cifar10", "test_accuracy")
    >>> nb.describe("cifar10", "test_accuracy")

Importing this package is light: it loads numpy only; h5py, pandas and tqdm are imported when
first needed, and nothing here imports torch or xgboost.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from nasbench.benchmark import Benchmark, MetricDescription
from nasbench.config import PROJECT_ROOT, data_root, is_store_path, resolve_store, store_dir
from nasbench.errors import (
    ChecksumError,
    InvalidArgumentError,
    MissingBudgetError,
    NasbenchError,
    SourceMissingError,
    StaleStoreWarning,
    StoreError,
    UnknownArchitectureError,
    UnknownNameError,
)

__version__ = "0.1.0"

__all__ = [
    "Benchmark",
    "ChecksumError",
    "InvalidArgumentError",
    "MetricDescription",
    "MissingBudgetError",
    "NasbenchError",
    "SourceMissingError",
    "StaleStoreWarning",
    "StoreError",
    "UnknownArchitectureError",
    "UnknownNameError",
    "available",
    "build",
    "data_root",
    "is_store_path",
    "load",
    "rebuild_reason",
    "resolve_store",
    "store_dir",
    "store_path",
    "verify",
]


def available() -> list[str]:
    """Names of every benchmark nasbench can build (whether built yet or not)."""
    from nasbench import recipes

    return recipes.available()


def store_path(name: str) -> Path:
    """Where the store of benchmark ``name`` lives (``$NASBENCH_STORES/<name>.h5``)."""
    return store_dir() / f"{name}.h5"


def rebuild_reason(name: str) -> str:
    """Why ``nasbench build name`` would rebuild the store, or ``""`` if it is kept.

    A store is kept when it passes ``verify`` and was built from exactly the raw files (path,
    sha256, part) and computed results (``Recipe.results_dir``, by content digest) its recipe
    reads today, by today's code; reasons: not built, fails verification (0 bytes, truncated,
    corrupt, an older format), the recipe reads other raw files, its computed results changed, or
    the code that builds stores changed (``nasbench.recipes.base.code_provenance``).
    """
    from nasbench import recipes
    from nasbench.store import open_store, verify_store

    recipe = recipes.get(name)
    path = store_path(name)
    if not path.exists():
        return "not built"
    try:
        verify_store(path)
        fh, header = open_store(path)
        fh.close()
    except StoreError as exc:
        return f"fails `nasbench verify` ({' '.join(str(exc).split())[:120]})"
    raw = sorted([("", s.path, s.sha256) for s in recipe.extra_sources]
                 + [(p.name, s.path, s.sha256) for p in recipe.parts for s in p.sources])
    results = [(r["part"], r["path"], r["sha256"]) for r in recipe.results_provenance()]
    have = [(s.get("part", ""), s.get("path", ""), s.get("sha256", "")) for s in header.sources]
    if sorted(h for h in have if h[0] not in ("results", "code")) != raw:
        return "its recipe reads other raw files now"
    if sorted(h for h in have if h[0] == "results") != results:
        return "its computed results changed"
    if _built_by_other_code(header.sources):
        return "the code that builds it changed"
    return ""


def _built_by_other_code(sources: list[dict]) -> bool:
    """True unless the store's ``code`` provenance is today's (a store from before it was
    recorded counts as built by other code)."""
    from nasbench.recipes.base import code_provenance

    built = [s.get("sha256") for s in sources if s.get("part") == "code"]
    return built != [code_provenance()["sha256"]]


def build(name: str, *, progress: bool = True, force: bool = False) -> Path:
    """Build the store of benchmark ``name`` from its raw files; return its path.

    An existing store is kept unless ``force`` or ``rebuild_reason(name)`` names a reason (it
    fails ``verify``, or its recipe's sources changed). Raw files are read from
    ``$NASBENCH_DATA``.
    """
    from nasbench import recipes

    recipe = recipes.get(name)
    out = store_path(name)
    if out.exists() and not force and not rebuild_reason(name):
        return out
    return recipe.build(out, progress=progress)


def load(name: str | Path, *, build_missing: bool = True) -> Benchmark:
    """Open a store by benchmark name (``"nb201"``) or by path (``"out/nats_tss.h5"``).

    Names and paths are told apart by ``nasbench.is_store_path``. If a named store has not been
    built yet and ``build_missing`` is True, it is built first from the raw files (with a
    progress bar); otherwise a ``StoreError`` says how to build it. A named store built from the
    project's own computed results (``data/zc/...``, ``data/bank/...``) is rebuilt first when
    those results changed since (a run added to them) or the code that builds stores changed, so
    a query never returns an older table; a raw-data store built by other code gives a
    ``StaleStoreWarning`` naming the command that rebuilds it.
    """
    if not isinstance(name, (str, Path)):
        raise InvalidArgumentError(
            f"load takes a benchmark name or a store path, got {type(name).__name__}"
        )
    if is_store_path(name):
        return Benchmark(name)
    name = str(name)
    path = store_path(name)
    if not path.exists():
        from nasbench import recipes

        recipes.get(name)  # unknown names fail here, listing the known ones
        if not build_missing:
            raise StoreError(
                f"store {name!r} is not built (no {str(path)!r}); run `nasbench build {name}`"
            )
        build(name)
    bench = Benchmark(path)
    # stale, not missing: rebuilt whatever ``build_missing`` says (it is cheap, and a reader
    # asking not to build a missing store still must not get an older table)
    other_code = _built_by_other_code(bench.sources)
    computed = any(s.get("part") == "results" for s in bench.sources)
    if _results_changed(bench) or (computed and other_code):
        bench.close()
        build(name, force=True)
        bench = Benchmark(path)
    elif other_code:
        # a raw-data store may take a while to rebuild and needs the raw files: say so, once
        warnings.warn(f"store {name!r} was built by other code than this checkout's (a recipe, "
                      f"reader or space changed since); `nasbench build {name}` rebuilds it",
                      StaleStoreWarning, stacklevel=2)
    return bench


def _results_changed(bench: Benchmark) -> bool:
    """True if a computed-results folder the store was built from now holds other files."""
    from nasbench.recipes.base import folder_digest

    for s in bench.sources:
        if s.get("part") == "results":
            folder = PROJECT_ROOT / s["path"]
            if folder.is_dir() and folder_digest(folder) != s.get("sha256"):
                return True
    return False


def verify(name: str | Path) -> int:
    """Check every byte of a store (by name or path) against its checksums; return the number of
    arrays checked. Raises ``StoreError`` naming the store and how to rebuild it."""
    from nasbench.store import verify_store

    return verify_store(resolve_store(name))
