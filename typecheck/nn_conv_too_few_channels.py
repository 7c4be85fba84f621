# typecheck: ill-typed
"""A `Conv` built for RGB (`channels:3`) fed grayscale images (`channels:1`)."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X: Float[NamedArray, "batch:b channels:1 height:28 width:28"]):
    conv = tl.nn.Conv(
        "height width", "channels:3", "channels:8", 3, padding="same", key=jax.random.PRNGKey(0)
    )
    return conv(X)  # E: Conv: axis `channels` has size 3 in the layer and 1 in `x`
