# typecheck: ill-typed
"""Positional twin of typecheck/dtype_where_float_condition.py: `where` given the float
scores themselves as its condition."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(scores: Float[Array, "b 10"]):
    return jnp.where(scores, scores, 0.0)  # E: a float32 condition
