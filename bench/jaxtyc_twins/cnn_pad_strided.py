# typecheck: well-typed
"""Positional twin of typecheck/cnn_pad_strided.py: a stride-2 1-D convolution padded by
one on each side, twice; `t` becomes `(t-1)//2+1`."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def conv_s2(x: Float[Array, "b c t"], W: Float[Array, "o c 3"]) -> Float[Array, "b o (t-1)//2+1"]:
    return jax.nn.relu(jax.lax.conv_general_dilated(x, W, (2,), [(1, 1)]))


def program(
    x: Float[Array, "b 3 t"],
    W1: Float[Array, "16 3 3"],
    W2: Float[Array, "32 16 3"],
):
    y = conv_s2(conv_s2(x, W1), W2)
    return jnp.mean(y, axis=-1)
