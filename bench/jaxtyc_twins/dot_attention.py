# typecheck: well-typed
"""Positional twin of typecheck/dot_attention.py: attention with keys and values stored
in other orders, transposed into place first."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def attention(
    Q: Float[Array, "*z n k"],
    K: Float[Array, "*z m k"],
    V: Float[Array, "*z m dv"],
) -> Float[Array, "*z n dv"]:
    scores = Q @ jnp.swapaxes(K, -1, -2)
    weights = jax.nn.softmax(scores, axis=-1)
    return weights @ V


def program(
    Q: Float[Array, "b 4 n 16"],
    K: Float[Array, "16 m 4 b"],
    V: Float[Array, "b m 4 8"],
):
    return attention(Q, K.transpose(3, 2, 1, 0), V.transpose(0, 2, 1, 3))
