"""Images for `typedlenet predict`: any file Pillow reads, as intensities in
[0, 1] with the ink bright, as in MNIST, and without losing precision.

- 8-bit grayscale or colour: luminance / 255 (colour through Pillow's ITU-R 601
  luminance, as `convert("L")`).
- 16-bit grayscale: value / 65535, so nothing is clipped (`convert("L")` would
  clip every value above 255 to 255).
- With transparency: where the colour of the visible pixels is one and the same
  (a stroke drawn on a transparent canvas), the digit is the alpha channel, and
  the intensity is alpha. Otherwise the image is seen over black (luminance ×
  alpha), which a fully opaque image leaves as it is.
- Resizing (`--resize`) is bilinear on the float intensities.
- An image larger than Pillow allows (a decompression bomb) is refused by name.
"""

from __future__ import annotations

import io
import os
import pathlib
import stat
import warnings
from typing import TYPE_CHECKING

import numpy as np

from .data import DataError

if TYPE_CHECKING:  # Pillow comes with the `train` extra; imported when used
    pass

__all__ = ["NotAFile", "file_kind", "read_image", "read_regular"]

_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N")
_ALPHA = ("RGBA", "LA", "La", "RGBa", "PA")
_RGB_TO_L = np.array([0.299, 0.587, 0.114], np.float64)  # Pillow's convert("L")


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a directory"),
)


class NotAFile(DataError):
    """An input that is not a regular file (a FIFO, a device, a directory), which
    a read could wait on forever or never finish; `path` and `kind` name it."""

    def __init__(self, path: str | pathlib.Path, kind: str) -> None:
        super().__init__(f"{path}: {kind}, not a regular file: give an image file")
        self.path = pathlib.Path(path)
        self.kind = kind


def file_kind(mode: int) -> str | None:
    """What a file of `mode` (`st_mode`) is, when it is not a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def read_regular(path: str | pathlib.Path) -> bytes:
    """The bytes of the regular file at `path`. Anything else is a `NotAFile`,
    found without waiting: the file is opened without blocking (a FIFO with no
    writer would block the open, and its read, forever) and checked before it
    is read. An `OSError` if it cannot be opened."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as f:
        kind = file_kind(os.fstat(descriptor).st_mode)
        if kind is not None:
            raise NotAFile(path, kind)
        return f.read()


def read_image(path: str | pathlib.Path, height: int, width: int, resize: bool) -> np.ndarray:
    """The image at `path` as float32 intensities of shape (height, width);
    a `DataError` naming the file if it cannot be read or has another size
    (unless `resize`), a `NotAFile` if it is not a regular file."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Large but allowed: the image is read and resized like any other.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(read_regular(path)))
            image.load()
    except NotAFile:
        raise  # said as such, not as an unreadable image
    except Image.DecompressionBombError:
        limit = f" (over {2 * Image.MAX_IMAGE_PIXELS:,} pixels" if Image.MAX_IMAGE_PIXELS else " ("
        raise DataError(
            f"{path}: too large an image to read safely{limit}, which Pillow refuses as a "
            "possible decompression bomb)"
        ) from None
    except (OSError, UnidentifiedImageError, ValueError) as error:
        raise DataError(f"{path}: not a readable image ({error})") from None
    pixels = _intensities(image, path)
    if pixels.shape != (height, width):
        if not resize:
            raise DataError(
                f"{path}: {pixels.shape[1]}x{pixels.shape[0]} pixels, but the model takes "
                f"width {width} and height {height} (pass --resize to resize)"
            )
        resized = Image.fromarray(pixels, "F").resize((width, height), Image.Resampling.BILINEAR)
        pixels = np.clip(np.asarray(resized, np.float32), 0.0, 1.0)
    return pixels


def _intensities(image, path) -> np.ndarray:
    """Float32 intensities in [0, 1], by the rules of this module's docstring."""
    mode = image.mode
    if mode in _SIXTEEN_BIT:
        return (np.asarray(image, np.float64) / 65535.0).astype(np.float32)
    if mode in ("I", "F"):
        values = np.asarray(image, np.float64)
        top = 65535.0 if mode == "I" else 1.0
        if values.size and (values.min() < 0 or values.max() > top):
            kind = "32-bit integer" if mode == "I" else "floating-point"
            raise DataError(
                f"{path}: {kind} pixels from {values.min():g} to {values.max():g}, not "
                f"intensities in 0..{top:g}"
            )
        return (values / top).astype(np.float32)
    if mode == "P" and "transparency" in image.info:
        image, mode = image.convert("RGBA"), "RGBA"
    if mode in _ALPHA:
        rgba = np.asarray(image.convert("RGBA"), np.float64) / 255.0
        luminance, alpha = rgba[..., :3] @ _RGB_TO_L, rgba[..., 3]
        if alpha.min() == 1.0:
            return luminance.astype(np.float32)
        visible = rgba[..., :3][alpha > 0]
        if visible.size == 0 or np.ptp(visible, axis=0).max() < 1.0 / 255:
            return alpha.astype(np.float32)  # one colour: the digit is the alpha
        return (luminance * alpha).astype(np.float32)
    return (np.asarray(image.convert("L"), np.float64) / 255.0).astype(np.float32)
