# typecheck: well-typed
"""Positional twin of typecheck/scan_stacked_layers.py: a residual MLP stack as one
`lax.scan` over stacked weights; each step sees one layer's weights."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def block(
    h: Float[Array, "b n d"],
    W: Float[Array, "d f"],
    V: Float[Array, "f d"],
) -> Float[Array, "b n d"]:
    return h + jax.nn.gelu(h @ W) @ V


def program(
    X: Float[Array, "b n 64"],
    W: Float[Array, "L 64 256"],
    V: Float[Array, "L 256 64"],
):
    def step(h, layer):
        return block(h, layer["W"], layer["V"]), jnp.mean(h, axis=(1, 2))

    h, means = jax.lax.scan(step, X, {"W": W, "V": V})
    assert means.shape == (W.shape[0], X.shape[0])
    return h
