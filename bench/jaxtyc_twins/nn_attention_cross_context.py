# typecheck: well-typed
"""Positional twin of typecheck/nn_attention_cross_context.py: cross-attention with
`eqx.nn.MultiheadAttention` (queries of length `n`, keys and values from a context of
length `m`, a padding mask over the context), then a layer norm of the residual."""

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int


def program(
    x: Float[Array, "b n 64"],
    context: Float[Array, "b m 64"],
    source: Int[Array, "b m"],
):
    attention = eqx.nn.MultiheadAttention(8, 64, qk_size=8, vo_size=8, key=jax.random.PRNGKey(0))
    keep = source != 0

    def attend(q, kv, mask):
        return attention(q, kv, kv, mask=jnp.broadcast_to(mask, (q.shape[0], mask.shape[0])))

    y = jax.vmap(attend)(x, context, keep)
    assert y.shape == x.shape
    return jax.vmap(jax.vmap(eqx.nn.LayerNorm(64)))(x + y)
