"""Cora and CiteSeer as PyG ``Data``, read from the local Planetoid files (no download).

The files are the Planetoid ``ind.<name>.*`` pickles (kimiyoung/planetoid), staged under
``$NASBENCH_DATA/inputs/planetoid-cora-citeseer`` (default ``../shared/data``). They are read by
``torch_geometric.io.read_planetoid_data``, which is what ``torch_geometric.datasets.Planetoid``
does after downloading them, so the result equals ``Planetoid(root, name)[0]`` with the public
split (Cora: 140 train / 500 valid / 1,000 test nodes; CiteSeer: 120 / 500 / 1,000) and raw
binary bag-of-words features (no ``NormalizeFeatures``, as NAS-Bench-Graph loaded them).

::

    >>> from predictors.networks import graph_data
    >>> data = graph_data.load("cora")
    >>> data.x.shape, data.edge_index.shape, int(data.y.max()) + 1
    (torch.Size([2708, 1433]), torch.Size([2, 10556]), 7)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: dataset name -> Planetoid file prefix
PLANETOID: dict[str, str] = {"cora": "cora", "citeseer": "citeseer"}
_FOLDER = Path("inputs") / "planetoid-cora-citeseer"


def data_dir() -> Path:
    """The folder holding the ``ind.*`` files: ``$NASBENCH_DATA/inputs/planetoid-cora-citeseer``."""
    from nasbench.config import data_root

    return data_root() / _FOLDER


def load(name: str, folder: str | Path | None = None) -> Any:
    """The graph ``name`` (``cora`` or ``citeseer``) as a ``torch_geometric.data.Data``.

    Args:
        name: dataset name, case-insensitive.
        folder: the folder of the ``ind.<name>.*`` files (default ``data_dir()``).

    Returns:
        ``Data`` with ``x`` ``(N, F)`` float features, ``edge_index`` ``(2, E)`` (both directions),
        ``y`` ``(N,)`` labels and boolean ``train_mask`` / ``val_mask`` / ``test_mask`` ``(N,)``.

    Raises:
        KeyError: an unknown dataset name.
        FileNotFoundError: the files are not in ``folder``.
    """
    key = name.lower()
    if key not in PLANETOID:
        raise KeyError(f"no local graph data for {name!r}; use one of {', '.join(PLANETOID)}")
    path = Path(folder) if folder is not None else data_dir()
    missing = [s for s in ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")
               if not (path / f"ind.{PLANETOID[key]}.{s}").is_file()]
    if missing:
        raise FileNotFoundError(
            f"Planetoid {key} files missing in {path}: ind.{PLANETOID[key]}.{missing[0]} (and "
            f"{len(missing) - 1} more); set $NASBENCH_DATA to the folder that holds inputs/"
        )
    from torch_geometric.io import read_planetoid_data

    return read_planetoid_data(str(path), PLANETOID[key])
