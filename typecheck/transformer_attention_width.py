# typecheck: ill-typed
"""A pre-norm Transformer block whose model width comes from a config (`d = 48`)
for the embedding and the norms, but whose `MultiHeadAttention` was written with a
literal width of 64 (4 heads of 16) left over from another model."""

import equinox as eqx
import jax

from typedlenet import Int, NamedArray, nn

D = "embed:48"


class Block(eqx.Module):
    norm1: nn.LayerNorm
    attention: nn.MultiHeadAttention
    norm2: nn.LayerNorm
    mlp: nn.MLP

    def __init__(self, key: jax.Array) -> None:
        k1, k2 = jax.random.split(key)
        self.norm1 = nn.LayerNorm(D)
        self.attention = nn.MultiHeadAttention("embed:64", 4, 16, key=k1)  # C: `embed:64`
        self.norm2 = nn.LayerNorm(D)
        self.mlp = nn.MLP(D, "hidden:192", D, key=k2)

    def __call__(self, x: NamedArray) -> NamedArray:
        x = x + self.attention(self.norm1(x))  # E: axis `embed` has size 64
        return x + self.mlp(self.norm2(x))


def program(tokens: Int[NamedArray, "batch:b seq:n"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    embedding = nn.Embedding("vocab:1000", D, key=k1)
    return Block(k2)(embedding(tokens))
