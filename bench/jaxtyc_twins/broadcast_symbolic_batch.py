# typecheck: ill-typed
"""Positional twin of typecheck/broadcast_symbolic_batch.py: batches of symbolic sizes
`b` and `n` combined elementwise."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(
    x: Float[Array, "b 10"],
    y: Float[Array, "n 10"],
):
    return jnp.where(x > 0.0, x, y)  # E: b against n
