# typecheck: ill-typed
"""Positional twin of typecheck/size_helper_shared_symbol.py: a checked helper binds `d`
from `x`; `y` brings a different feature size."""

import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def cosine(x: Float[Array, "*z d"], y: Float[Array, "*z d"]) -> Float[Array, "*z"]:
    dot = jnp.sum(x * y, axis=-1)
    return dot / jnp.sqrt(jnp.sum(x * x, axis=-1) * jnp.sum(y * y, axis=-1))


def program(
    x: Float[Array, "b 64"],
    y: Float[Array, "b 32"],
):
    return cosine(x, y)  # E: y's 32 against d = 64
