# typecheck: well-typed
"""Positional twin of typecheck/unfold_strided.py: windows with a stride, `(t-k)//s+1`
of them, with the window and stride as arguments (the corpus adds `t >= 3`)."""

import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def windows(x: Float[Array, "*z t"], k: int, s: int) -> Float[Array, "*z (t-{k})//{s}+1 {k}"]:
    n = (x.shape[-1] - k) // s + 1
    return x[..., jnp.arange(n)[:, None] * s + jnp.arange(k)]


def program(x: Float[Array, "b t"]):
    filt = jnp.ones((3,))
    return windows(x, 3, 2) @ filt
