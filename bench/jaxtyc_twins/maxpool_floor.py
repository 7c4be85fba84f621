# typecheck: well-typed
"""Positional twin of typecheck/maxpool_floor.py: `reduce_window` pools a height of 7
by 2 into 3 (it drops the last row), with the window size an argument."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def pool(X: Float[Array, "*z h w"], k: int) -> Float[Array, "*z h//{k} w//{k}"]:
    window = (1,) * (X.ndim - 2) + (k, k)
    return jax.lax.reduce_window(X, -jnp.inf, jax.lax.max, window, window, "VALID")


def program(X: Float[Array, "b 6 7 9"]):
    Y = pool(X, 2)
    assert Y.shape[2:] == (3, 4)
    return Y
