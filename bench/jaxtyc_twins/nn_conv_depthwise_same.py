# typecheck: well-typed
"""Positional twin of typecheck/nn_conv_depthwise_same.py: a ConvNeXt-style 1-D block,
a depthwise Conv1d (groups 64, kernel 7, `padding="SAME"`) with a residual, a LayerNorm
and a pointwise MLP, for a symbolic batch and length."""

import equinox as eqx
import jax
from jaxtyping import Array, Float


def program(x: Float[Array, "b t 64"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    depthwise = eqx.nn.Conv1d(64, 64, 7, padding="SAME", groups=64, key=k1)
    assert depthwise.weight.shape == (64, 1, 7)
    pointwise = eqx.nn.MLP(64, 64, 256, depth=1, activation=jax.nn.gelu, key=k2)
    norm = eqx.nn.LayerNorm(64)
    h = jax.vmap(depthwise)(x.transpose(0, 2, 1)).transpose(0, 2, 1)
    y = x + jax.vmap(jax.vmap(lambda v: pointwise(norm(v))))(h)
    assert y.shape == x.shape
    return y
