# typecheck: ill-typed
"""Positional twin of typecheck/take_float_tokens.py: token ids read as floats used to
index the vocabulary."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(
    E: Float[Array, "1000 64"],
    tokens: Float[Array, "b n"],
):
    return jnp.take(E, tokens, axis=0)  # E: float32 indices
