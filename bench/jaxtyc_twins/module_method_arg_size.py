# typecheck: ill-typed
"""Positional twin of typecheck/module_method_arg_size.py: token embeddings 128 wide
given to a pooling module whose fields were built for 96."""

import equinox as eqx
import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, Int, jaxtyped


@jaxtyped(typechecker=beartype)
class Pooler(eqx.Module):
    g: Float[Array, " d"]
    W: Float[Array, "d k"]

    @jaxtyped(typechecker=beartype)
    def __call__(self, x: Float[Array, "b n d"]) -> Float[Array, "b k"]:
        return jnp.mean(x * self.g, axis=1) @ self.W


def program(
    E: Float[Array, "1000 128"],
    tokens: Int[Array, "b n"],
):
    pooler = Pooler(jnp.ones(96), jax.random.normal(jax.random.PRNGKey(0), (96, 3)))
    x = E[tokens]
    return pooler(x)  # E: 128 against the fields' 96
