# typecheck: ill-typed
"""Positional twin of typecheck/broadcast_bias_channels.py: a per-channel bias of 8 on a
conv with 6 output channels."""

import jax
from jaxtyping import Array, Float


def program(
    X: Float[Array, "b 1 28 28"],
    W: Float[Array, "6 1 5 5"],
    B: Float[Array, " 8"],
):
    return jax.lax.conv(X, W, (1, 1), "VALID") + B[:, None, None]  # E: 6 channels against 8
