# typecheck: well-typed
"""The annotation kinds together: `UInt` pixels cast by `astype`, `Integer` labels,
a `Bool` mask, and `Shaped` for a helper that takes any dtype."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Bool, Float, Integer, NamedArray, Shaped, UInt


@tl.typechecked
def first_row(x: Shaped[NamedArray, "... height:h"]) -> Shaped[NamedArray, "..."]:
    return x[{"height": 0}]


@tl.typechecked
def scale(
    pixels: UInt[NamedArray, "... height:h width:w"],
) -> Float[NamedArray, "... height:h width:w"]:
    return tl.astype(pixels, jnp.float32) / 255.0


def program(
    pixels: UInt[NamedArray, "batch:b height:28 width:28"],
    labels: Integer[NamedArray, "batch:b"],
    valid: Bool[NamedArray, "batch:b"],
):
    X = tl.where(valid, scale(pixels), 0.0)
    target = tl.one_hot(labels, "class", 10)
    return first_row(X), first_row(pixels), target
