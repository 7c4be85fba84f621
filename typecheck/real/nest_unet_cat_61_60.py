# typecheck: ill-typed
"""Port of https://github.com/bigmb/Unet-Segmentation-Pytorch-Nest-of-Unets/issues/55:
a four-level U-Net fails at `torch.cat((e4, d5), dim=1)` with `Expected size 61
but got size 60`: the input side (488) is not a multiple of 2^4, so the fourth
pool drops a row that the transposed convolution does not bring back."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def conv(inp: str, out: str, key: jax.Array) -> nn.Conv:
    return nn.Conv("height width", inp, out, 3, padding="same", key=key)


def program(images: Float[NamedArray, "batch:1 channels:3 height:488 width:488"]):
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
        x = tl.concatenate([skips[i], up(x)], "channels")  # E: axis `height` has size 61
        x = tl.relu(conv(f"channels:{32 * 2**i}", widths[i], next(keys))(x))
    return x
