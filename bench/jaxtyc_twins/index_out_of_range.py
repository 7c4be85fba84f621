# typecheck: ill-typed
"""Positional twin of typecheck/index_out_of_range.py: position 3 of a channel axis of
size 3."""

import jax
from jaxtyping import Array, Float


def program(X: Float[Array, "b 3 8 8"]):
    return jax.nn.relu(X[:, 3])  # E: index 3 of 3 channels
