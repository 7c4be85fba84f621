# typecheck: ill-typed
"""Positional twin of typecheck/dtype_conv_int_image.py: an Int image (raw pixel values)
convolved with a Float kernel without a cast."""

import jax
from jaxtyping import Array, Float, Int


def program(
    X: Int[Array, "b 1 28 28"],
    W: Float[Array, "6 1 5 5"],
):
    return jax.lax.conv(X, W, (1, 1), "VALID")  # E: int32 image
