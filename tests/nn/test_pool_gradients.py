"""The pools differentiate under `jax.jit` and `jax.eval_shape` as eagerly (the fast
lowering's window reduction starts from a constant), against positional JAX."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import typedlenet as tl
from typedlenet import nn

POOLS = {
    "max": (
        nn.MaxPool,
        lambda d: jax.lax.reduce_window(d, -jnp.inf, jax.lax.max, (1, 2, 2), (1, 2, 2), "VALID"),
    ),
    "avg": (
        nn.AvgPool,
        lambda d: jax.lax.reduce_window(d, 0.0, jax.lax.add, (1, 2, 2), (1, 2, 2), "VALID") / 4,
    ),
}


@pytest.mark.parametrize("kind", sorted(POOLS))
def test_pool_gradients_under_jit_and_eval_shape(kind):
    make, positional = POOLS[kind]
    pool = make("height width", 2)
    data = jax.random.normal(jax.random.PRNGKey(0), (2, 4, 6))

    def named(d):
        return tl.sum(pool(tl.named(d, "batch height width")) ** 2).data

    expected = jax.grad(lambda d: jnp.sum(positional(d) ** 2))(data)
    np.testing.assert_allclose(jax.jit(jax.grad(named))(data), expected, rtol=1e-6)
    np.testing.assert_allclose(jax.grad(named)(data), expected, rtol=1e-6)
    assert jax.eval_shape(jax.grad(named), data).shape == data.shape
