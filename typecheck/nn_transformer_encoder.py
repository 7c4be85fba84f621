# typecheck: well-typed
"""A small Transformer encoder from `tl.nn`: an `Embedding`, then four pre-norm blocks
(`LayerNorm`, `MultiHeadAttention` with a padding mask over the keys `seq'`, `MLP`)
stacked along `layer` and scanned over, then a final `LayerNorm`; for a symbolic
batch and sequence length."""

import equinox as eqx
import jax

import typedlenet as tl
from typedlenet import Int, NamedArray


class Block(eqx.Module):
    norm1: tl.nn.LayerNorm
    attention: tl.nn.MultiHeadAttention
    norm2: tl.nn.LayerNorm
    mlp: tl.nn.MLP

    def __init__(self, key: jax.Array) -> None:
        k1, k2 = jax.random.split(key)
        self.norm1 = tl.nn.LayerNorm("embed:32")
        self.attention = tl.nn.MultiHeadAttention("embed:32", heads=4, key_size=8, key=k1)
        self.norm2 = tl.nn.LayerNorm("embed:32")
        self.mlp = tl.nn.MLP("embed:32", "hidden:128", "embed:32", key=k2)

    def __call__(self, x: NamedArray, mask: NamedArray) -> NamedArray:
        x = x + self.attention(self.norm1(x), mask=mask)
        return x + self.mlp(self.norm2(x))


class Encoder(eqx.Module):
    embedding: tl.nn.Embedding
    blocks: tl.nn.Stacked
    norm: tl.nn.LayerNorm

    def __init__(self, key: jax.Array) -> None:
        k1, k2 = jax.random.split(key)
        self.embedding = tl.nn.Embedding("vocab:1000", "embed:32", key=k1)
        self.blocks = tl.nn.Stacked(Block, 4, key=k2)
        self.norm = tl.nn.LayerNorm("embed:32")

    def __call__(self, tokens: NamedArray) -> NamedArray:
        keep = tl.rename(tokens != 0, {"seq": "seq'"})
        return self.norm(self.blocks(self.embedding(tokens), mask=keep))


def program(tokens: Int[NamedArray, "batch:b seq:n"]):
    encoder = Encoder(jax.random.PRNGKey(0))
    assert encoder.blocks.layers.mlp.first.W.sizes == {"layer": 4, "embed": 32, "hidden": 128}
    H = encoder(tokens)
    assert H.sizes == {**tokens.sizes, "embed": 32}
    return H
