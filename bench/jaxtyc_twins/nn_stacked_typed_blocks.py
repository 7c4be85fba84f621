# typecheck: well-typed
"""Positional twin of typecheck/nn_stacked_typed_blocks.py: six residual blocks with
jaxtyping fields, built by `eqx.filter_vmap` (a leading layer axis on every field) and
scanned over, for a symbolic batch and sequence."""

import equinox as eqx
import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
class Block(eqx.Module):
    W: Float[Array, "d f"]
    b: Float[Array, " f"]
    V: Float[Array, "f d"]

    @jaxtyped(typechecker=beartype)
    def __call__(self, x: Float[Array, "*z d"]) -> Float[Array, "*z d"]:
        return x + jax.nn.relu(x @ self.W + self.b) @ self.V


def block(key: Array) -> Block:
    k1, k2 = jax.random.split(key)
    W = jax.random.normal(k1, (48, 192)) / 7.0
    V = jax.random.normal(k2, (192, 48)) / 14.0
    return Block(W, jnp.zeros(192), V)


def program(x: Float[Array, "b n 48"]):
    stack = eqx.filter_vmap(block)(jax.random.split(jax.random.PRNGKey(0), 6))
    assert stack.W.shape == (6, 48, 192)
    third = jax.tree.map(lambda a: a[2], stack)
    assert third.W.shape == (48, 192)
    params, static = eqx.partition(stack, eqx.is_array)

    def step(h, p):
        return eqx.combine(p, static)(h), None

    y, _ = jax.lax.scan(step, x, params)
    assert y.shape == x.shape
    return y + third(x)
