# typecheck: ill-typed
"""Positional twin of typecheck/pad_reflect_symbolic.py: reflect padding of a symbolic
time axis that nothing says has two positions."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(x: Float[Array, "b t"]):
    return jnp.pad(x, ((0, 0), (1, 1)), mode="reflect")  # E: t >= 2 unknown
