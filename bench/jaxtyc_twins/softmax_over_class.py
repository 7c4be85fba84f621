# typecheck: well-typed
"""Positional twin of typecheck/softmax_over_class.py: softmax and log_softmax over the
class axis keep every axis; their sum over it drops it."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def probabilities(logits: Float[Array, "*z k"]) -> Float[Array, "*z k"]:
    return jax.nn.softmax(logits, axis=-1)


@jaxtyped(typechecker=beartype)
def total(p: Float[Array, "*z k"]) -> Float[Array, "*z"]:
    return jnp.sum(p, axis=-1)


def program(logits: Float[Array, "b t 10"]):
    p = probabilities(logits)
    log_p = jax.nn.log_softmax(logits, axis=-1)
    assert total(p).ndim == 2
    return jnp.sum(p * log_p, axis=-1) + jax.nn.logsumexp(logits, axis=-1)
