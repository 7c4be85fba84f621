# typecheck: well-typed
"""Positional twin of typecheck/stack_ensemble.py: three heads' logits stacked on a new
leading axis (one head's weight stored class-first, transposed); mean and variance over
it."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(
    X: Float[Array, "b 32"],
    A: Float[Array, "32 10"],
    B: Float[Array, "10 32"],
    C: Float[Array, "32 10"],
):
    members = jnp.stack([X @ W for W in (A, B.T, C)])
    assert members.shape[0] == 3
    return jnp.mean(members, axis=0), jnp.var(members, axis=0)
