# typecheck: ill-typed
"""Positional twin of typecheck/concat_feature_mismatch.py: the second clip, stored
feature-first, is transposed to `b s f` and concatenated along time; features 64 and 80."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(
    a: Float[Array, "b t 64"],
    c: Float[Array, "80 b s"],
):
    return jnp.concatenate([a, c.transpose(1, 2, 0)], axis=1)  # E: features 64 and 80
