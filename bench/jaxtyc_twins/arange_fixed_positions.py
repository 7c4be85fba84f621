# typecheck: ill-typed
"""Positional twin of typecheck/arange_fixed_positions.py: a position table made for
512 steps added to embeddings of a symbolic length `n`."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(X: Float[Array, "b n 64"]):
    positions = jnp.arange(512, dtype=jnp.float32)
    return X + positions[:, None] / 512.0  # E: n against 512
