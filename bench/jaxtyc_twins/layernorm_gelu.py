# typecheck: well-typed
"""Positional twin of typecheck/layernorm_gelu.py: a layer norm over the last axis and a
feed-forward with exact and approximate GELU, computed in bfloat16."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def layer_norm(x: Float[Array, "*z d"]) -> Float[Array, "*z d"]:
    mean = jnp.mean(x, axis=-1, keepdims=True)
    return (x - mean) / jnp.sqrt(jnp.var(x, axis=-1, keepdims=True) + 1e-5)


def program(
    x: Float[Array, "b n 64"],
    W: Float[Array, "64 128"],
):
    h = layer_norm(x).astype(jnp.bfloat16) @ W.astype(jnp.bfloat16)
    exact = jax.nn.gelu(h, approximate=False)
    y = (exact + jax.nn.gelu(h)).astype(jnp.float32)
    assert y.dtype == jnp.float32
    return y
