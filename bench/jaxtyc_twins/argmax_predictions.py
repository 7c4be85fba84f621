# typecheck: well-typed
"""Positional twin of typecheck/argmax_predictions.py: argmax over the class axis gives
Int predictions, compared with Int labels."""

import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, Int, jaxtyped


@jaxtyped(typechecker=beartype)
def predict(logits: Float[Array, "*z k"]) -> Int[Array, "*z"]:
    return jnp.argmax(logits, axis=-1)


def program(logits: Float[Array, "b 10"], labels: Int[Array, " b"]):
    correct = predict(logits) == labels
    return jnp.mean(jnp.where(correct, 1.0, 0.0))
