# typecheck: ill-typed
"""Positional twin of typecheck/cnn_strided_wrong_length.py: a stride-2 convolution
without padding promises `t//2` positions but gives `(t-3)//2+1`."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def conv_s2(x: Float[Array, "b c t"], W: Float[Array, "o c 3"]) -> Float[Array, "b o t//2"]:
    return jax.lax.conv_general_dilated(x, W, (2,), "VALID")


@jaxtyped(typechecker=beartype)
def encode(x: Float[Array, "b c t"], W: Float[Array, "o c 3"]) -> Float[Array, "b o"]:
    y = conv_s2(x, W)  # E: conv_s2's return value
    return jnp.mean(y, axis=-1)


def program(
    x: Float[Array, "b 2 t"],
    W: Float[Array, "8 2 3"],
):
    return encode(x, W)
