"""Derived tables cached next to the stores: computed once per machine, verified on every load.

Some answers need a table derived from every architecture of a space (NB201's official order read
from a bz2 pickle, the representative of each isomorphism class): hundreds of milliseconds to
compute, a few to load. ``cached`` keeps such a table as ``$NASBENCH_STORES/cache/<name>-<key>.npz``
with the sha256 of its bytes, so the first query of a new process costs a load, not a rebuild,
and a damaged cache file is recomputed, never believed. ``key`` names what the table was derived
from (e.g. the pinned sha256 of the raw file), so a table from other inputs is never reused.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nasbench.config import store_dir


def cache_path(name: str, key: str) -> Path:
    """Where the table ``name`` derived from ``key`` is kept."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return store_dir() / "cache" / f"{name}-{digest}.npz"


def cached(
    name: str,
    key: str,
    compute: Callable[[], np.ndarray],
    check: Callable[[np.ndarray], bool] | None = None,
) -> np.ndarray:
    """The array ``compute()`` returns, from the cache when an intact copy for ``key`` exists.

    ``check`` (optional) spot-checks a loaded table against the code that computes it today
    (a few entries recomputed), so a table left by older code is recomputed, not believed.
    The array must not hold Python objects (it is saved without pickle). A cache folder that
    cannot be written is not an error: the table is then computed in every process.

    Shapes:
        returns whatever ``compute`` returns.
    """
    path = cache_path(name, key)
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as saved:
                values, digest = saved["values"], str(saved["sha256"])
            if hashlib.sha256(values.tobytes()).hexdigest() == digest and (
                check is None or check(values)
            ):
                return values
        except Exception:  # any damage means: recompute
            pass
    values = np.asarray(compute())
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(tmp, values=values, sha256=np.array(hashlib.sha256(values.tobytes()).hexdigest()))
        os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one
    except OSError:
        tmp.unlink(missing_ok=True)
    return values
