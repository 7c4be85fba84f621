# typecheck: ill-typed
"""Positional twin of typecheck/symbolic_kernel_too_large.py: a 5×5 kernel on a symbolic
height that may be smaller (the corpus knows only `h >= 3`)."""

import jax
from jaxtyping import Array, Float


def program(
    X: Float[Array, "b 1 h h"],
    W: Float[Array, "2 1 5 5"],
):
    return jax.lax.conv(X, W, (1, 1), "VALID")  # E: 5 may not fit in h
