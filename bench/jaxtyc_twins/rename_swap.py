# typecheck: well-typed
"""Positional twin of typecheck/rename_swap.py: swapping height and width is a
transpose; twice is the identity."""

import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def transpose(X: Float[Array, "*z h w"]) -> Float[Array, "*z w h"]:
    return jnp.swapaxes(X, -1, -2)


def program(X: Float[Array, "b h w"]):
    return transpose(transpose(X)) - X
