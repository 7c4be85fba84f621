# typecheck: ill-typed
"""Positional twin of typecheck/broadcast_height_clash.py: a conv output (height 24)
added to its input (height 28)."""

import jax
from jaxtyping import Array, Float


def program(
    X: Float[Array, "b 6 28 28"],
    W: Float[Array, "6 6 5 5"],
):
    Y = jax.lax.conv(X, W, (1, 1), "VALID")
    return X + Y  # E: height 28 against 24
