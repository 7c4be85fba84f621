# typecheck: well-typed
"""Positional twin of typecheck/where_bool_mask.py: `where` with a Bool mask broadcast
over the batch; a comparison gives a Bool too."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float


def program(
    scores: Float[Array, "b n n"],
    mask: Bool[Array, "n n"],
):
    masked = jnp.where(mask, scores, -1e9)
    positive = jnp.where(scores > 0.0, scores, 0.0)
    return jax.nn.softmax(masked, axis=-1) + positive
