# typecheck: well-typed
"""Positional twin of typecheck/module_attention_head_init.py: an equinox module with its
own `__init__` making four projections from three sizes (fields checked by jaxtyping
after `__init__`) and a checked multi-head self-attention `__call__`."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
class SelfAttention(eqx.Module):
    Wq: Float[Array, "d h k"]
    Wk: Float[Array, "d h k"]
    Wv: Float[Array, "d h k"]
    Wo: Float[Array, "h k d"]

    def __init__(self, embed: int, heads: int, key_size: int, *, key: Array) -> None:
        kq, kk, kv, ko = jax.random.split(key, 4)
        shape = (embed, heads, key_size)
        self.Wq = jax.random.normal(kq, shape) / math.sqrt(embed)
        self.Wk = jax.random.normal(kk, shape) / math.sqrt(embed)
        self.Wv = jax.random.normal(kv, shape) / math.sqrt(embed)
        self.Wo = jax.random.normal(ko, (heads, key_size, embed)) / math.sqrt(heads * key_size)

    @jaxtyped(typechecker=beartype)
    def __call__(self, x: Float[Array, "b n d"]) -> Float[Array, "b n d"]:
        Q = jnp.einsum("bnd,dhk->bhnk", x, self.Wq)
        K = jnp.einsum("bnd,dhk->bhnk", x, self.Wk)
        V = jnp.einsum("bnd,dhk->bhnk", x, self.Wv)
        scores = Q @ jnp.swapaxes(K, -1, -2) / math.sqrt(Q.shape[-1])
        return jnp.einsum("bhnk,hkd->bnd", jax.nn.softmax(scores, axis=-1) @ V, self.Wo)


def program(x: Float[Array, "b n 96"]):
    attention = SelfAttention(96, 6, 16, key=jax.random.PRNGKey(0))
    y = x + attention(x)
    assert y.shape == x.shape
    return y
