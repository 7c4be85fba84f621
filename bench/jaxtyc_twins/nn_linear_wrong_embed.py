# typecheck: ill-typed
"""Positional twin of typecheck/nn_linear_wrong_embed.py: a Linear built for 16 inputs
applied to embeddings 8 wide."""

import equinox as eqx
import jax
from jaxtyping import Array, Int


def program(tokens: Int[Array, "b n"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    embedding = eqx.nn.Embedding(100, 8, key=k1)
    projection = eqx.nn.Linear(16, 32, key=k2)
    x = jax.vmap(jax.vmap(embedding))(tokens)
    return jax.vmap(jax.vmap(projection))(x)  # E: 16 inputs against 8
