# typecheck: well-typed
"""Positional twin of typecheck/nn_transformer_encoder.py: an Embedding, four pre-norm
blocks (LayerNorm, MultiheadAttention with a padding mask over the keys, MLP) stacked by
`eqx.filter_vmap` and scanned over, and a final LayerNorm, for a symbolic batch and
sequence length."""

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Int


class Block(eqx.Module):
    norm1: eqx.nn.LayerNorm
    attention: eqx.nn.MultiheadAttention
    norm2: eqx.nn.LayerNorm
    mlp: eqx.nn.MLP

    def __init__(self, key: Array) -> None:
        k1, k2 = jax.random.split(key)
        self.norm1 = eqx.nn.LayerNorm(32)
        self.attention = eqx.nn.MultiheadAttention(4, 32, qk_size=8, vo_size=8, key=k1)
        self.norm2 = eqx.nn.LayerNorm(32)
        self.mlp = eqx.nn.MLP(32, 32, 128, depth=1, activation=jax.nn.gelu, key=k2)

    def __call__(self, x: Array, keep: Array) -> Array:
        h = jax.vmap(self.norm1)(x)
        mask = jnp.broadcast_to(keep, (x.shape[0], keep.shape[0]))
        x = x + self.attention(h, h, h, mask=mask)
        return x + jax.vmap(lambda v: self.mlp(self.norm2(v)))(x)


class Encoder(eqx.Module):
    embedding: eqx.nn.Embedding
    blocks: Block
    norm: eqx.nn.LayerNorm

    def __init__(self, key: Array) -> None:
        k1, k2 = jax.random.split(key)
        self.embedding = eqx.nn.Embedding(1000, 32, key=k1)
        self.blocks = eqx.filter_vmap(Block)(jax.random.split(k2, 4))
        self.norm = eqx.nn.LayerNorm(32)

    def __call__(self, tokens: Array) -> Array:
        keep = tokens != 0
        params, static = eqx.partition(self.blocks, eqx.is_array)

        def step(x, p):
            return eqx.combine(p, static)(x, keep), None

        x, _ = jax.lax.scan(step, jax.vmap(self.embedding)(tokens), params)
        return jax.vmap(self.norm)(x)


def program(tokens: Int[Array, "b n"]):
    encoder = Encoder(jax.random.PRNGKey(0))
    assert encoder.blocks.mlp.layers[0].weight.shape == (4, 128, 32)
    H = jax.vmap(encoder)(tokens)
    assert H.shape == (*tokens.shape, 32)
    return H
