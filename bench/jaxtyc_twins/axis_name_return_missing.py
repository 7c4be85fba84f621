# typecheck: ill-typed
"""Positional twin of typecheck/axis_name_return_missing.py: a helper promises `b k`,
but reducing the last axis (the classes) instead of the time axis leaves `b t`."""

import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def pooled_logits(x: Float[Array, "b t k"]) -> Float[Array, "b k"]:
    return jnp.max(x, axis=-1)


def program(x: Float[Array, "b t 10"]):
    return pooled_logits(x)  # E: the return value is `b t`
