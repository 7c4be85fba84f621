# typecheck: well-typed
"""Positional twin of typecheck/attention_padding_mask.py: self-attention over embedded
tokens with a padding mask broadcast over the queries."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Bool, Float, Int, jaxtyped


@jaxtyped(typechecker=beartype)
def padding_mask(tokens: Int[Array, "b n"]) -> Bool[Array, "b n"]:
    return tokens != 0


@jaxtyped(typechecker=beartype)
def attention(
    X: Float[Array, "b n d"],
    keep: Bool[Array, "b n"],
    Wq: Float[Array, "d k"],
    Wk: Float[Array, "d k"],
    Wv: Float[Array, "d d"],
) -> Float[Array, "b n d"]:
    Q, K, V = X @ Wq, X @ Wk, X @ Wv
    scores = jnp.where(keep[:, None, :], jnp.einsum("bqk,bsk->bqs", Q, K) / 4.0, -1e9)
    return jax.nn.softmax(scores, axis=-1) @ V


def program(
    E: Float[Array, "500 32"],
    tokens: Int[Array, "b n"],
    Wq: Float[Array, "32 16"],
    Wk: Float[Array, "32 16"],
    Wv: Float[Array, "32 32"],
):
    X = E[tokens]
    return attention(X, padding_mask(tokens), Wq, Wk, Wv)
