# typecheck: well-typed
"""Positional twin of typecheck/module_residual_block.py: a pre-norm residual MLP block
as an equinox module with jaxtyping fields, applied twice."""

import equinox as eqx
import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
class Residual(eqx.Module):
    g: Float[Array, " d"]
    W: Float[Array, "d f"]
    V: Float[Array, "f d"]

    @jaxtyped(typechecker=beartype)
    def __call__(self, x: Float[Array, "b n d"]) -> Float[Array, "b n d"]:
        h = x / jnp.sqrt(jnp.mean(x * x, axis=-1, keepdims=True) + 1e-6) * self.g
        return x + jax.nn.gelu(h @ self.W) @ self.V


def program(
    X: Float[Array, "b n 64"],
    g: Float[Array, " 64"],
    W: Float[Array, "64 256"],
    V: Float[Array, "256 64"],
):
    block = Residual(g, W, V)
    Y = block(block(X))
    assert Y.shape == X.shape
    return Y
