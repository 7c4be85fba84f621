# typecheck: well-typed
"""Positional twin of typecheck/one_hot_cross_entropy.py: one_hot labels against
log_softmax over the class axis."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, Int, jaxtyped


@jaxtyped(typechecker=beartype)
def nll(logits: Float[Array, "b k"], labels: Int[Array, " b"]) -> Float[Array, ""]:
    target = jax.nn.one_hot(labels, logits.shape[-1])
    return -jnp.mean(jnp.sum(target * jax.nn.log_softmax(logits, axis=-1), axis=-1))


def program(
    logits: Float[Array, "b 10"],
    labels: Int[Array, " b"],
):
    return nll(logits, labels)
