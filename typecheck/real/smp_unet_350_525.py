# typecheck: ill-typed
"""Port of https://github.com/qubvel-org/segmentation_models.pytorch/issues/93 (and
#57): a U-Net with a five-stage encoder on a 350×525 image fails in the decoder
(`Sizes of tensors must match except in dimension 1. Got 20 and 21`); 320×480
works."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def conv(inp: str, out: str, key: jax.Array) -> nn.Conv:
    return nn.Conv("height width", inp, out, 3, padding="same", key=key)


def program(images: Float[NamedArray, "batch:1 channels:3 height:350 width:525"]):
    keys = iter(jax.random.split(jax.random.PRNGKey(0), 16))
    widths = [f"channels:{16 * 2**i}" for i in range(5 + 1)]
    x = tl.relu(conv("channels:3", widths[0], next(keys))(images))
    skips = []
    for i in range(5):
        skips.append(x)
        x = nn.MaxPool("height width", 2)(x)
        x = tl.relu(conv(widths[i], widths[i + 1], next(keys))(x))
    for i in reversed(range(5)):
        up = nn.ConvTranspose("height width", widths[i + 1], widths[i], 2, stride=2, key=next(keys))
        x = tl.concatenate([skips[i], up(x)], "channels")  # E: axis `height`
        x = tl.relu(conv(f"channels:{32 * 2**i}", widths[i], next(keys))(x))
    return x
