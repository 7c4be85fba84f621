# typecheck: well-typed
"""Fix of https://github.com/jax-ml/jax/issues/3289: each image's values, stored
NHWC, are unflattened in their own order, `height width channels`; the named
convolution needs no transpose."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(records: Float[NamedArray, "batch:8 data:3072"]):
    x = tl.unflatten(records, "data", {"height": 32, "width": 32, "channels": 3})
    stem = nn.Conv(
        "height width",
        "channels:3",
        "channels:64",
        7,
        stride=2,
        padding=3,
        key=jax.random.PRNGKey(0),
    )
    return stem(x)
