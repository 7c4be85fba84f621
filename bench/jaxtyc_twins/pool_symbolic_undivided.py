# typecheck: ill-typed
"""Positional twin of typecheck/pool_symbolic_undivided.py: a same-size 3×3 conv helper,
then the seed's 2×2 pooling on a symbolic height and width."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


def maxpool2d(x, k):
    """The seed's pooling: non-overlapping k × k windows of the last two axes."""
    *lead, h, w = x.shape
    return x.reshape(*lead, h // k, k, w // k, k).max(axis=(-3, -1))


@jaxtyped(typechecker=beartype)
def features(X: Float[Array, "b c h w"], W: Float[Array, "o c 3 3"]) -> Float[Array, "b o h w"]:
    padded = jnp.pad(X, ((0, 0), (0, 0), (1, 1), (1, 1)))
    return jax.nn.relu(jax.lax.conv(padded, W, (1, 1), "VALID"))


def program(
    X: Float[Array, "b 3 h w"],
    W: Float[Array, "8 3 3 3"],
):
    Y = features(X, W)
    return maxpool2d(Y, 2)  # E: 2 may not divide h
