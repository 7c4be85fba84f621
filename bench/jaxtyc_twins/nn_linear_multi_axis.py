# typecheck: well-typed
"""Positional twin of typecheck/nn_linear_multi_axis.py: an output projection from
`heads key` (reshaped into 64) to 64, a square Linear without bias and an MLP, mapped
over a symbolic batch and sequence."""

import equinox as eqx
import jax
from jaxtyping import Array, Float


def program(H: Float[Array, "b n 4 16"]):
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    merge = eqx.nn.Linear(64, 64, key=k1)
    square = eqx.nn.Linear(64, 64, use_bias=False, key=k2)
    mlp = eqx.nn.MLP(64, 64, 256, depth=1, activation=jax.nn.relu, key=k3)
    assert square.weight.shape == (64, 64)

    def lift(f):
        return jax.vmap(jax.vmap(f))

    x = lift(merge)(H.reshape(*H.shape[:2], 64))
    y = x + lift(mlp)(lift(square)(x))
    assert y.shape == (H.shape[0], H.shape[1], 64)
    return y
