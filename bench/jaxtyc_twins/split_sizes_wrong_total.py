# typecheck: ill-typed
"""Positional twin of typecheck/split_sizes_wrong_total.py: a context/target split of an
8-step window into 3 and 4 steps (split points 3 and 3 + 4): they add up to 7."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(x: Float[Array, "b 8 16"]):
    context, target = jnp.split(x, [3, 3 + 4], axis=1)  # E: 3 + 4 is not 8
    return jnp.mean(context, axis=1) - jnp.mean(target, axis=1)
