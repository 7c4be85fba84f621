# typecheck: ill-typed
"""Positional twin of typecheck/pool_lenet_height_30.py: LeNet on 30×30 images; X^3 has
height 9, which the second 2×2 pool cannot divide."""

import jax
from jaxtyping import Array, Float


def maxpool2d(x, k):
    """The seed's pooling: non-overlapping k × k windows of the last two axes."""
    *lead, h, w = x.shape
    return x.reshape(*lead, h // k, k, w // k, k).max(axis=(-3, -1))


def program(
    X0: Float[Array, "b 1 30 30"],
    W1: Float[Array, "6 1 5 5"],
    W2: Float[Array, "16 6 5 5"],
):
    X1 = jax.nn.relu(jax.lax.conv(X0, W1, (1, 1), "VALID"))
    X2 = maxpool2d(X1, 2)
    X3 = jax.nn.relu(jax.lax.conv(X2, W2, (1, 1), "VALID"))
    return maxpool2d(X3, 2)  # E: 2 does not divide 9
