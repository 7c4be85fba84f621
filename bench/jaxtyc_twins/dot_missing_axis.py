# typecheck: ill-typed
"""Positional twin of typecheck/dot_missing_axis.py: X contracted with H over H's hidden
axis, which X does not have: X's 256 inputs meet H's 120 hidden units."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(
    X: Float[Array, "b 256"],
    W: Float[Array, "256 120"],
):
    H = jnp.tensordot(W, X, axes=([0], [1]))
    return X @ H  # E: 256 against 120
