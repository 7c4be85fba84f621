# typecheck: well-typed
"""Positional twin of typecheck/pad_causal_edge.py: pad the time axis by `(2, 0)` (edge
or constant) before windows of 3, so the length stays `t`."""

import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


def unfold(x, k):
    """Windows of k along the last axis, stride 1: a new last axis of size k."""
    n = x.shape[-1] - k + 1
    return x[..., jnp.arange(n)[:, None] + jnp.arange(k)]


@jaxtyped(typechecker=beartype)
def causal(x: Float[Array, "*z t"], W: Float[Array, " 3"]) -> Float[Array, "*z t"]:
    past = jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(2, 0)], mode="edge")
    return unfold(past, 3) @ W


def program(
    x: Float[Array, "b 4 t"],
    W: Float[Array, " 3"],
):
    zero_padded = jnp.pad(x, ((0, 0), (0, 0), (2, 0)), mode="constant", constant_values=0.0)
    return causal(x, W) + unfold(zero_padded, 3)[..., 2]
