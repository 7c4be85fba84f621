# typecheck: well-typed
"""A height built as 2·m is provably divisible by 2: pooling gives `m` for every m."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("m >= 1", "n >= 1")


@tl.typechecked
def pool2(
    X: Float[NamedArray, "... height:h width:w"],
) -> Float[NamedArray, "... height:h//2 width:w//2"]:
    return tl.maxpool2d(X, 2, 2)


def program(X: Float[NamedArray, "batch:b height:m width:n"]):
    pair = tl.named(jnp.ones((2, 2)), "dh dw")
    doubled = tl.flatten(tl.flatten(X * pair, "height dh", "height"), "width dw", "width")
    Y = pool2(doubled)
    assert Y.sizes["height"] == X.sizes["height"]
    return Y
