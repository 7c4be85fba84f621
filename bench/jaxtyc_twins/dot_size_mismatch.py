# typecheck: ill-typed
"""Positional twin of typecheck/dot_size_mismatch.py: contracting `d`, 16 in the queries
and 32 in the keys."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(
    Q: Float[Array, "b n 16"],
    K: Float[Array, "b n 32"],
):
    return jnp.einsum("bqd,bkd->bqk", Q, K)  # E: d is 16 and 32
