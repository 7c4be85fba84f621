# typecheck: well-typed
"""The seed's conv2d on a symbolic batch and symbolic image size."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("h >= 5", "w >= 5")


def program(
    X: Float[NamedArray, "batch:b channels:3 height:h width:w"],
    W: Float[NamedArray, "channels':8 channels:3 kh:5 kw:5"],
):
    Y = tl.conv2d(X, W)
    assert Y.sizes["height"] == X.sizes["height"] - 4
    return tl.relu(Y) + jnp.float32(1)
