# typecheck: well-typed
"""Positional twin of typecheck/split_concat_rotate.py: split a symbolic time axis at 2
and concatenate the pieces the other way round (the corpus adds `t >= 3`; jaxtyping
cannot); split the features into two halves."""

import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def rotate2(x: Float[Array, "*z t f"]) -> Float[Array, "*z t f"]:
    head, rest = jnp.split(x, [2], axis=-2)
    return jnp.concatenate([rest, head], axis=-2)


def program(x: Float[Array, "b t 8"]):
    low, high = jnp.split(rotate2(x), 2, axis=-1)
    return jnp.concatenate([high, low, high], axis=-1)
