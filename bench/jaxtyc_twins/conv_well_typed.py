# typecheck: well-typed
"""Positional twin of typecheck/conv_well_typed.py: conv on a symbolic batch and image
size (the corpus adds `h >= 5`, `w >= 5`; jaxtyping cannot)."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


def program(
    X: Float[Array, "b 3 h w"],
    W: Float[Array, "8 3 5 5"],
):
    Y = jax.lax.conv(X, W, (1, 1), "VALID")
    assert Y.shape[2] == X.shape[2] - 4
    return jax.nn.relu(Y) + jnp.float32(1)
