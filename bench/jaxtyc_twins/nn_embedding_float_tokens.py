# typecheck: ill-typed
"""Positional twin of typecheck/nn_embedding_float_tokens.py: float token ids given to
`eqx.nn.Embedding`."""

import equinox as eqx
import jax
from jaxtyping import Array, Float


def program(tokens: Float[Array, "b n"]):
    embedding = eqx.nn.Embedding(100, 16, key=jax.random.PRNGKey(0))
    return jax.vmap(jax.vmap(embedding))(tokens)  # E: float32 token ids
