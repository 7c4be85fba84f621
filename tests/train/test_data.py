"""The IDX reader, the embedded dataset, batches by name."""

import gzip
import struct

import numpy as np
import pytest

from typedlenet.train import data


def write_idx(path, array, code=0x08):
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if path.suffix == ".gz" else raw)
    return path


def make_dataset(directory, n_train=64, n_test=32, size=16, seed=0, gz=True):
    """Four IDX files of random images whose label is readable from the image."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 60, (n, size, size)).astype(np.uint8)
        for i, label in enumerate(labels):  # a bright bar whose row is the label
            images[i, label + 2, 2:-2] = 255
        suffix = ".gz" if gz else ""
        write_idx(directory / f"{split}-images-idx3-ubyte{suffix}", images)
        write_idx(directory / f"{split}-labels-idx1-ubyte{suffix}", labels)
    return directory


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_roundtrip(tmp_path, gz):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = write_idx(tmp_path / ("x.idx.gz" if gz else "x.idx"), array)
    np.testing.assert_array_equal(data.read_idx(path), array)


def test_read_idx_faults_name_the_file(tmp_path):
    good = np.zeros((3, 4, 4), np.uint8)
    path = write_idx(tmp_path / "images", good)
    raw = path.read_bytes()
    (tmp_path / "short").write_bytes(raw[:-5])
    with pytest.raises(data.DataError, match=r"short: truncated: dimensions \(3, 4, 4\) need 48"):
        data.read_idx(tmp_path / "short")
    (tmp_path / "magic").write_bytes(b"\x12\x34" + raw[2:])
    with pytest.raises(data.DataError, match=r"magic: wrong magic number 0x12340803"):
        data.read_idx(tmp_path / "magic")
    (tmp_path / "tiny").write_bytes(b"\0\0")
    with pytest.raises(data.DataError, match=r"tiny: truncated: 2 bytes"):
        data.read_idx(tmp_path / "tiny")
    (tmp_path / "bad.gz").write_bytes(b"not gzip")
    with pytest.raises(data.DataError, match=r"bad\.gz: cannot be read"):
        data.read_idx(tmp_path / "bad.gz")
    with pytest.raises(data.DataError, match="nothing: no such file"):
        data.read_idx(tmp_path / "nothing")


def test_idx_dataset_and_count_mismatch(tmp_path):
    directory = make_dataset(tmp_path / "d", gz=False)
    dataset = data.load("mnist", directory)
    assert dataset.train_images.shape == (64, 16, 16) and dataset.test_labels.shape == (32,)
    write_idx(directory / "t10k-labels-idx1-ubyte", np.zeros(31, np.uint8))
    with pytest.raises(data.DataError, match=r"\(test\): 32 images but 31 labels"):
        data.load("mnist", directory)
    with pytest.raises(data.DataError, match="no such directory"):
        data.load("kmnist", tmp_path / "missing")
    with pytest.raises(data.DataError, match="needs --data-dir"):
        data.load("kmnist")


def test_embedded_mnist_5k_split():
    dataset = data.load("mnist-5k")
    assert dataset.train_images.shape == (4500, 28, 28)
    assert dataset.test_images.shape == (500, 28, 28)
    assert np.bincount(dataset.test_labels).tolist() == [50] * 10
    again = data.load("mnist-5k")
    np.testing.assert_array_equal(dataset.test_labels, again.test_labels)


def test_batches_are_named_and_seeded():
    images = np.arange(10 * 4 * 4, dtype=np.uint8).reshape(10, 4, 4)
    labels = np.arange(10, dtype=np.uint8)
    got = list(data.batches(images, labels, 4, seed=3))
    assert [b[1].sizes["batch"] for b in got] == [4, 4, 2]
    X0, y = got[0]
    assert X0.sizes == {"batch": 4, "channels": 1, "height": 4, "width": 4}
    assert str(X0.dtype) == "float32" and float(X0.data.max()) <= 1.0
    assert str(y.dtype) == "int32"
    again = [np.asarray(b[1].data) for b in data.batches(images, labels, 4, seed=3)]
    assert all((a == np.asarray(b[1].data)).all() for a, b in zip(again, got))
    assert sorted(np.concatenate(again).tolist()) == list(range(10))


def test_download_checks_what_it_fetches(tmp_path):
    source = make_dataset(tmp_path / "source")
    target = tmp_path / "target"
    paths = data.download("kmnist", target, base_url=source.as_uri() + "/")
    assert len(paths) == 4 and data.load("kmnist", target).train_images.shape == (64, 16, 16)
    # A pinned SHA-256 that does not match is refused, and nothing is left behind.
    with pytest.raises(data.DataError, match=r"SHA-256 .* does not match"):
        data.download("mnist", tmp_path / "other", base_url=source.as_uri() + "/")
    assert not any((tmp_path / "other").iterdir())
