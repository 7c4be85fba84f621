# typecheck: ill-typed
"""Positional twin of typecheck/symbolic_shift_time.py: windows of 3 along time give
`t-2` positions, but the helper promises `t-1`."""

import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def diff(x: Float[Array, "b t f"]) -> Float[Array, "b t-1 f"]:
    step = jnp.array([-1.0, 0.0, 1.0])
    windows = x[:, jnp.arange(x.shape[1] - 2)[:, None] + jnp.arange(3)]
    return jnp.einsum("btwf,w->btf", windows, step)


def program(x: Float[Array, "b t 4"]):
    return diff(x)  # E: t - 2 given, t - 1 promised
