# typecheck: well-typed
"""Fix of https://github.com/Hsuxu/carvana-pytorch-uNet/issues/1: the images are
cropped to 1024×672, a width divisible by 2^4."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def conv(inp: str, out: str, key: jax.Array) -> nn.Conv:
    return nn.Conv("height width", inp, out, 3, padding="same", key=key)


def program(images: Float[NamedArray, "batch:1 channels:3 height:1024 width:672"]):
    keys = iter(jax.random.split(jax.random.PRNGKey(0), 16))
    widths = [f"channels:{16 * 2**i}" for i in range(4 + 1)]
    x = tl.relu(conv("channels:3", widths[0], next(keys))(images))
    skips = []
    for i in range(4):
        skips.append(x)
        x = nn.MaxPool("height width", 2)(x)
        x = tl.relu(conv(widths[i], widths[i + 1], next(keys))(x))
    for i in reversed(range(4)):
        up = nn.ConvTranspose("height width", widths[i + 1], widths[i], 2, stride=2, key=next(keys))
        x = tl.concatenate([skips[i], up(x)], "channels")
        x = tl.relu(conv(f"channels:{32 * 2**i}", widths[i], next(keys))(x))
    return x
