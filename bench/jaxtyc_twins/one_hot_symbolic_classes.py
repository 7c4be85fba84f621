# typecheck: well-typed
"""Positional twin of typecheck/one_hot_symbolic_classes.py: cross-entropy for a
symbolic class count `k`, with unsigned labels."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, UInt, jaxtyped


@jaxtyped(typechecker=beartype)
def nll(logits: Float[Array, "b k"], labels: UInt[Array, " b"]) -> Float[Array, ""]:
    target = jax.nn.one_hot(labels, logits.shape[-1])
    return -jnp.mean(jnp.sum(target * jax.nn.log_softmax(logits, axis=-1), axis=-1))


def program(
    X: Float[Array, "b 64"],
    W: Float[Array, "64 k"],
    labels: UInt[Array, " b"],
):
    return nll(X @ W, labels)
