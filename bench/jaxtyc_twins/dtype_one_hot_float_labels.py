# typecheck: ill-typed
"""Positional twin of typecheck/dtype_one_hot_float_labels.py: one_hot of float labels."""

import jax
from jaxtyping import Array, Float


def program(labels: Float[Array, " b"]):
    return jax.nn.one_hot(labels, 10)  # E: float32 labels
