# typecheck: well-typed
"""Positional twin of typecheck/dtype_kinds_pixels.py: `UInt` pixels cast by `astype`,
`Integer` labels, a `Bool` mask, and `Shaped` for a helper that takes any dtype."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Bool, Float, Integer, Shaped, UInt, jaxtyped


@jaxtyped(typechecker=beartype)
def first_row(x: Shaped[Array, "*z h w"]) -> Shaped[Array, "*z w"]:
    return x[..., 0, :]


@jaxtyped(typechecker=beartype)
def scale(pixels: UInt[Array, "*z h w"]) -> Float[Array, "*z h w"]:
    return pixels.astype(jnp.float32) / 255.0


def program(
    pixels: UInt[Array, "b 28 28"],
    labels: Integer[Array, " b"],
    valid: Bool[Array, " b"],
):
    X = jnp.where(valid[:, None, None], scale(pixels), 0.0)
    target = jax.nn.one_hot(labels, 10)
    return first_row(X), first_row(pixels), target
