# typecheck: ill-typed
"""Positional twin of typecheck/conv_wrong_channels.py: the kernel's input channels (1)
must match the image's (3)."""

import jax
from jaxtyping import Array, Float


def program(
    X: Float[Array, "b 3 28 28"],
    W: Float[Array, "8 1 5 5"],
):
    return jax.lax.conv(X, W, (1, 1), "VALID")  # E: channels 3 against 1
