"""Where nasbench finds raw benchmark files and keeps built stores.

* ``NASBENCH_DATA``: folder of raw published files (one sub-folder per source, as in
  ``../shared/data``). Default: ``../shared/data`` next to the project checkout, if it exists.
* ``NASBENCH_STORES``: folder of built HDF5 stores. Default: ``data/stores`` in the checkout
  (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

from nasbench.errors import SourceMissingError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_root() -> Path:
    """The folder of raw source files (``$NASBENCH_DATA`` or ``../shared/data``)."""
    env = os.environ.get("NASBENCH_DATA")
    root = Path(env) if env else PROJECT_ROOT.parent / "shared" / "data"
    if not root.is_dir():
        raise SourceMissingError(
            f"raw data folder {str(root)!r} does not exist; set NASBENCH_DATA to the folder "
            "holding the published benchmark files (e.g. ../shared/data)"
        )
    return root


def store_dir() -> Path:
    """The folder of built stores (``$NASBENCH_STORES`` or ``data/stores`` in the checkout)."""
    env = os.environ.get("NASBENCH_STORES")
    return Path(env) if env else PROJECT_ROOT / "data" / "stores"


#: file name endings that make a text a store path rather than a benchmark name
STORE_SUFFIXES = (".h5", ".hdf5")


def is_store_path(text: str | os.PathLike[str]) -> bool:
    """True if ``text`` names a store *file*, False if it is a benchmark *name*.

    The one rule, used by the CLI and by ``predictors``: a ``Path`` object, a text that ends in
    ``.h5`` / ``.hdf5``, contains a path separator (``/`` or the platform's), or names an existing
    file is a path; anything else (``"nb201"``) is a benchmark name. Benchmark names never
    contain a separator or a dot, so the two cannot be confused.
    """
    if isinstance(text, os.PathLike):
        return True
    seps = {"/", os.sep} | ({os.altsep} if os.altsep else set())
    return (
        text.lower().endswith(STORE_SUFFIXES)
        or any(sep in text for sep in seps)
        or Path(text).is_file()
    )


def resolve_store(name_or_path: str | os.PathLike[str]) -> Path:
    """The store file a benchmark name or a store path stands for (it may not be built yet).

    A path (see ``is_store_path``) is returned as is; a name becomes
    ``$NASBENCH_STORES/<name>.h5``. Whether the file exists is the caller's question:
    ``nasbench.load`` builds a missing named store, and refuses a missing path.
    """
    if is_store_path(name_or_path):
        return Path(name_or_path)
    return store_dir() / f"{name_or_path}.h5"
