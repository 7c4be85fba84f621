"""`typedlenet predict`'s images: every pixel format read as intensities in
[0, 1] against a numpy oracle, and unreadable files named, on real files."""

import os
import pathlib
import re
import struct
import subprocess
import sys
import threading
import zlib

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from typedlenet.train._images import NotAFile, read_image
from typedlenet.train.data import DataError

from test_train import TINY, cli

SIDE = 8
pixels8 = hnp.arrays(np.uint8, (SIDE, SIDE))


def save(tmp_path, name, image):
    path = tmp_path / name
    image.save(path)
    return path


@given(hnp.arrays(np.uint16, (SIDE, SIDE)))
def test_a_16_bit_png_keeps_its_precision(tmp_path_factory, values):
    path = save(tmp_path_factory.mktemp("png"), "g16.png", Image.fromarray(values))
    assert Image.open(path).mode.startswith("I;16")
    read = read_image(path, SIDE, SIDE, resize=False)
    np.testing.assert_allclose(read, values / 65535.0, rtol=0, atol=1e-7)


@given(pixels8)
def test_8_and_16_bits_of_the_same_picture_read_the_same(tmp_path_factory, values):
    directory = tmp_path_factory.mktemp("png")
    eight = read_image(save(directory, "g8.png", Image.fromarray(values)), SIDE, SIDE, False)
    wide = Image.fromarray(values.astype(np.uint16) * 257)  # 255 -> 65535
    sixteen = read_image(save(directory, "g16.png", wide), SIDE, SIDE, False)
    np.testing.assert_allclose(eight, values / 255.0, rtol=0, atol=1e-7)
    np.testing.assert_allclose(sixteen, eight, rtol=0, atol=1e-7)


@given(pixels8, st.sampled_from([(0, 0, 0), (255, 255, 255), (200, 30, 90)]))
def test_a_stroke_on_a_transparent_canvas_is_read_from_its_alpha(tmp_path_factory, alpha, ink):
    # A canvas with no transparent pixel is an opaque picture, read by its colour.
    assume(alpha.min() < 255)
    rgba = np.zeros((SIDE, SIDE, 4), np.uint8)
    rgba[..., :3] = ink
    rgba[..., 3] = alpha
    for mode, image in (
        ("RGBA", Image.fromarray(rgba, "RGBA")),
        ("LA", Image.fromarray(rgba[..., [0, 3]], "LA")),
    ):
        path = save(tmp_path_factory.mktemp("png"), f"{mode}.png", image)
        np.testing.assert_allclose(read_image(path, SIDE, SIDE, False), alpha / 255.0, atol=1e-7)


@given(hnp.arrays(np.uint8, (SIDE, SIDE, 3)), pixels8)
def test_a_picture_with_transparency_is_seen_over_black(tmp_path_factory, rgb, alpha):
    rgb[0, 0], rgb[0, 1], alpha[0, 0], alpha[0, 1] = (0, 0, 0), (255, 255, 255), 255, 255
    rgba = np.concatenate([rgb, alpha[..., None]], axis=-1)
    path = save(tmp_path_factory.mktemp("png"), "rgba.png", Image.fromarray(rgba, "RGBA"))
    luminance = rgb.astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255.0
    expected = luminance * (alpha / 255.0)
    np.testing.assert_allclose(read_image(path, SIDE, SIDE, False), expected, atol=1e-6)


def test_an_opaque_colour_picture_reads_as_its_luminance(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (SIDE, SIDE, 3), dtype=np.uint8)
    path = save(tmp_path, "rgb.png", Image.fromarray(rgb, "RGB"))
    grey = np.asarray(Image.fromarray(rgb, "RGB").convert("L")) / 255.0
    np.testing.assert_allclose(read_image(path, SIDE, SIDE, False), grey, atol=1 / 255)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height pixels, with no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    "content, message",
    [
        (png_header_only(20000, 10000), "too large an image to read safely (over 178,956,970"),
        (png_header_only(8, 8), "not a readable image"),  # pixel data missing
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not a readable image"),
        (b"", "not a readable image"),
    ],
)
def test_unreadable_images_are_named(tmp_path, content, message):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(DataError, match=re.escape(f"{path}: {message}")):
        read_image(path, SIDE, SIDE, resize=False)


def test_out_of_range_wide_pixels_are_refused(tmp_path):
    values = np.full((SIDE, SIDE), 2.5, np.float32)
    path = save(tmp_path, "f.tiff", Image.fromarray(values, "F"))
    with pytest.raises(
        DataError, match=r"floating-point pixels from 2\.5 to 2\.5, not intensities"
    ):
        read_image(path, SIDE, SIDE, resize=False)


def test_predict_reads_16_bit_and_alpha_images_as_their_8_bit_twins(tmp_path):
    from test_data import make_dataset

    data, run = make_dataset(tmp_path / "data"), tmp_path / "run"
    status, _, err = cli("train", *TINY, "--data-dir", data, "--epochs", 1, "--checkpoint-dir", run)
    assert status == 0, err
    digit = np.zeros((16, 16), np.uint8)
    digit[3:13, 7:9] = 255  # a "1"
    stroke = np.zeros((16, 16, 4), np.uint8)
    stroke[..., 3] = digit  # a black stroke on a transparent canvas
    images = {
        "l8.png": Image.fromarray(digit),
        "l16.png": Image.fromarray(digit.astype(np.uint16) * 257),
        "stroke.png": Image.fromarray(stroke, "RGBA"),
    }
    paths = [save(tmp_path, name, image) for name, image in images.items()]
    status, out, err = cli("predict", "--checkpoint", run / "last.eqx", *paths)
    assert status == 0, err
    answers = {line.split(": ", 1)[1] for line in out.strip().splitlines()}
    assert len(out.strip().splitlines()) == 3 and len(answers) == 1, out
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header_only(20000, 10000))
    status, out, err = cli("predict", "--checkpoint", run / "last.eqx", "--resize", bomb)
    assert status == 1 and "Traceback" not in err
    assert f"typedlenet predict: error: {bomb}: too large an image to read safely" in err


def run_command(*args, timeout=120):
    """`typedlenet ARGS` in a fresh process, which a blocked read would leave hanging
    until `timeout` (the test then fails): (status, stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", "typedlenet", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.returncode, done.stderr


def test_predict_refuses_a_fifo_named_like_an_image_at_once(tmp_path):
    fifo = tmp_path / "x.png"
    os.mkfifo(fifo)
    good = save(tmp_path, "good.png", Image.fromarray(np.zeros((SIDE, SIDE), np.uint8)))
    status, err = run_command("predict", "--checkpoint", tmp_path / "none.eqx", good, fifo)
    assert status == 2 and "Traceback" not in err, err
    assert err.splitlines()[-1] == (
        f"typedlenet predict: error: {fifo}: a FIFO, not a regular file: give image files"
    )


def test_a_checkpoint_that_is_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "last.eqx"
    os.mkfifo(fifo)
    for command in ("predict", "evaluate"):
        more = [tmp_path / "x.png"] if command == "predict" else []
        status, err = run_command(command, "--checkpoint", fifo, *more)
        assert status == 1 and "Traceback" not in err, err
        assert err.splitlines()[-1] == (
            f"typedlenet {command}: error: {fifo}: not a regular file, so not a checkpoint"
        )


def test_reading_a_fifo_or_a_device_as_an_image_never_waits(tmp_path):
    fifo = tmp_path / "x.png"
    os.mkfifo(fifo)
    outcome = []

    def read(path):
        try:
            read_image(path, SIDE, SIDE, False)
        except NotAFile as error:
            outcome.append((error.path, error.kind))

    for path, kind in ((fifo, "a FIFO"), ("/dev/zero", "a character device")):
        reader = threading.Thread(target=read, args=(path,), daemon=True)
        reader.start()
        reader.join(timeout=30)
        assert not reader.is_alive(), f"reading {path} blocked"
        assert outcome.pop() == (pathlib.Path(path), kind)
