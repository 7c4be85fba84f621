# typecheck: ill-typed
"""Positional twin of typecheck/split_symbolic_halves.py: splitting a symbolic time axis
into two equal halves: nothing says `t` is even."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(x: Float[Array, "b t"]):
    first, second = jnp.split(x, 2, axis=1)  # E: 2 may not divide t
    return first - second
