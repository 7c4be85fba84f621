# typecheck: ill-typed
"""Positional twin of typecheck/dtype_int_given_float.py: a checked helper wants Int
predictions; the program hands it float scores."""

import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, Int, jaxtyped


@jaxtyped(typechecker=beartype)
def accuracy(predictions: Int[Array, " b"], labels: Int[Array, " b"]) -> Float[Array, ""]:
    return jnp.mean(jnp.where(predictions == labels, 1.0, 0.0))


def program(
    logits: Float[Array, "b 10"],
    labels: Int[Array, " b"],
):
    scores = jnp.max(logits, axis=-1)
    return accuracy(scores, labels)  # E: float32 scores
