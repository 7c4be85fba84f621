# typecheck: ill-typed
"""Positional twin of typecheck/unfold_too_large.py: windows of 5 along a height of 4."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(X: Float[Array, "b 16 4 4"]):
    n = X.shape[2] - 5 + 1
    return X[:, :, jnp.arange(n)[:, None] + jnp.arange(5)]  # E: 5 is larger than 4
