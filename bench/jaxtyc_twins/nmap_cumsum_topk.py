# typecheck: well-typed
"""Positional twin of typecheck/nmap_cumsum_topk.py: `cumsum` along time, a norm over
the embedding and `top_k` over the vocabulary."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


def program(
    x: Float[Array, "b t 16"],
    logits: Float[Array, "b 1000"],
):
    running = jnp.cumsum(x, axis=1)
    norms = jnp.linalg.norm(running, axis=-1)
    values, where = jax.lax.top_k(logits, 5)
    assert where.shape[-1] == 5
    return norms, values
