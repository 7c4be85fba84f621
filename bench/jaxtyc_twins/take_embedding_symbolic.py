# typecheck: well-typed
"""Positional twin of typecheck/take_embedding_symbolic.py: an embedding lookup for a
symbolic batch and sequence, by `jnp.take` and by indexing."""

import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, Int, jaxtyped


@jaxtyped(typechecker=beartype)
def embed(E: Float[Array, "v d"], tokens: Int[Array, "b n"]) -> Float[Array, "b n d"]:
    return jnp.take(E, tokens, axis=0)


def program(
    E: Float[Array, "1000 64"],
    tokens: Int[Array, "b n"],
):
    X = embed(E, tokens)
    Y = E[tokens]
    assert Y.ndim == 3
    return X - Y
