# typecheck: ill-typed
"""Positional twin of typecheck/attention_cross_mask_query.py: the source's padding mask
is given its new axis on the key side, so it lines up with the queries (m against n)."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int


def program(
    Q: Float[Array, "b n 16"],
    K: Float[Array, "b m 16"],
    source: Int[Array, "b m"],
):
    keep = (source != 0)[:, :, None]
    scores = jnp.einsum("bqh,bkh->bqk", Q, K)
    masked = jnp.where(keep, scores, -1e9)  # E: the mask's m meets the queries' n
    return jax.nn.softmax(masked, axis=-1)
