"""predictors.datasets: CIFAR-10 (JPEG q75) and MNIST from the pinned raw files."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from predictors import datasets


def test_cifar10_test_split_is_the_raw_jpegs_in_file_order():
    from PIL import Image

    images, labels = datasets.cifar10("test", seed=None)
    assert images.shape == (10_000, 32, 32, 3) and images.dtype == np.uint8
    assert np.array_equal(np.bincount(labels), np.full(10, 1000))
    assert np.all(np.diff(labels) >= 0)  # file order: by class, then file number
    path = datasets.SOURCES["cifar10/test"].verified_path()
    with zipfile.ZipFile(path) as zf:
        for name, row in (("test/airplane/0000.jpg", 0), ("test/truck/0999.jpg", 9999),
                          ("test/cat/0123.jpg", 3123)):
            with Image.open(io.BytesIO(zf.read(name))) as im:
                assert np.array_equal(images[row], np.asarray(im.convert("RGB")))


def test_subsets_are_balanced_seeded_and_shuffled():
    x1, y1 = datasets.cifar10("test", n=105, seed=3)
    x2, y2 = datasets.cifar10("test", n=105, seed=3)
    x3, _ = datasets.cifar10("test", n=105, seed=4)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2) and not np.array_equal(x1, x3)
    counts = np.bincount(y1, minlength=10)
    assert counts.min() == 10 and counts.max() == 11 and counts.sum() == 105
    assert not np.all(np.diff(y1) >= 0)
    # a smaller subset with the same seed is not required to be a prefix, but every image is real
    full, _ = datasets.cifar10("test", seed=None)
    flat = {img.tobytes() for img in full}
    assert all(img.tobytes() in flat for img in x1)


def test_mnist_split_of_the_official_test_set():
    xtr, ytr = datasets.mnist("train", seed=None)
    xte, yte = datasets.mnist("test", seed=None)
    assert xtr.shape == (8000, 28, 28) and xte.shape == (2000, 28, 28)
    official = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert (np.bincount(ytr, minlength=10) + np.bincount(yte, minlength=10)).tolist() == official
    assert not {x.tobytes() for x in xte} & {x.tobytes() for x in xtr[:2000]}


def test_batch_tensors():
    torch = pytest.importorskip("torch")
    # the test split: its cache is 5x smaller than the train split's
    x, y = datasets.batch("cifar10", 256, seed=0, split="test")
    assert x.shape == (256, 3, 32, 32) and x.dtype == torch.float32 and y.dtype == torch.int64
    assert abs(float(x.mean())) < 0.25 and 0.7 < float(x.std()) < 1.3
    x16, _ = datasets.batch("cifar10", 8, seed=0, resolution=16, normalize=False, split="test")
    raw, _ = datasets.cifar10("test", n=8, seed=0)
    # area downsampling = the mean of each 2x2 block
    expected = raw.astype(np.float64).reshape(8, 16, 2, 16, 2, 3).mean((2, 4)) / 255
    np.testing.assert_allclose(x16.permute(0, 2, 3, 1).numpy(), expected, atol=1e-6)
    xm, ym = datasets.batch("mnist", 4, seed=0, split="test")
    assert xm.shape == (4, 1, 28, 28)


def test_bad_input():
    with pytest.raises(KeyError, match="unknown dataset 'svhn'; available: cifar10, mnist"):
        datasets.load("svhn")
    with pytest.raises(ValueError, match="unknown split 'valid'"):
        datasets.cifar10("valid")
    with pytest.raises(ValueError, match="expected 1..10000"):
        datasets.cifar10("test", n=10_001)
    with pytest.raises(ValueError, match="seed=None keeps file order"):
        datasets.cifar10("test", n=10, seed=None)
    with pytest.raises(ValueError, match="images must be uint8"):
        datasets.to_tensor(np.zeros((2, 4, 4, 3), np.float32), "cifar10")


def test_tu_graphs_from_pinned_files():
    pytest.importorskip("torch_geometric")
    ds = datasets.tu("MUTAG")
    assert len(ds) == 188 and ds.num_features == 7 and ds.num_classes == 2
    assert np.bincount([int(g.y) for g in ds]).tolist() == [63, 125]
    assert ds[0].x.shape == (17, 7) and ds[0].edge_index.shape == (2, 38)
    with pytest.raises(KeyError, match="unknown TU dataset 'imdb'"):
        datasets.tu("imdb")


def test_input_pack_serves_the_same_arrays_without_the_raw_files(tmp_path, monkeypatch):
    pack = datasets.write_pack(tmp_path / "inputs.npz", [("cifar10", "train", 128, 0)])
    want = datasets.load("cifar10", "train", 128, 0)
    # a machine without the raw files: only the pack can answer
    monkeypatch.setenv("NASBENCH_DATA", str(tmp_path / "nowhere"))
    monkeypatch.setenv("NASBENCH_CACHE", str(tmp_path / "nocache"))
    monkeypatch.setenv(datasets.PACK_ENV, str(pack))
    datasets._full.cache_clear()
    got = datasets.load("cifar10", "train", 128, 0)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    x, y = datasets.batch("cifar10", 128, seed=0)
    assert tuple(x.shape) == (128, 3, 32, 32) and y.tolist() == want[1].tolist()
    from nasbench.errors import NasbenchError

    with pytest.raises(NasbenchError, match="NASBENCH_DATA"):  # not in the pack, no raw file here
        datasets.load("cifar10", "train", 64, 1)
    datasets._full.cache_clear()


def test_input_pack_from_other_raw_files_is_refused(tmp_path, monkeypatch):
    pack = datasets.write_pack(tmp_path / "inputs.npz", [("cifar10", "train", 16, 0)])
    with np.load(pack) as z:
        arrays = dict(z)
    arrays["pins/cifar10"] = np.array("0" * 64)
    np.savez(tmp_path / "other.npz", **arrays)
    monkeypatch.setenv(datasets.PACK_ENV, str(tmp_path / "other.npz"))
    with pytest.raises(ValueError, match="other cifar10 files"):
        datasets.load("cifar10", "train", 16, 0)
