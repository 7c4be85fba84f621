# typecheck: well-typed
"""Positional twin of typecheck/lenet_forward_symbolic_batch.py: the seed's whole LeNet
forward pass, X^0 to O, on a symbolic batch `b`."""

import jax
from jaxtyping import Array, Float


def maxpool2d(x, k):
    """The seed's pooling: non-overlapping k × k windows of the last two axes."""
    *lead, h, w = x.shape
    return x.reshape(*lead, h // k, k, w // k, k).max(axis=(-3, -1))


def program(
    X0: Float[Array, "b 1 28 28"],
    W1: Float[Array, "6 1 5 5"],
    W2: Float[Array, "16 6 5 5"],
    U: Float[Array, "256 120"],
    b1: Float[Array, " 120"],
    V: Float[Array, "120 10"],
    b2: Float[Array, " 10"],
):
    X1 = jax.nn.relu(jax.lax.conv(X0, W1, (1, 1), "VALID"))
    X2 = maxpool2d(X1, 2)
    X3 = jax.nn.relu(jax.lax.conv(X2, W2, (1, 1), "VALID"))
    X4 = maxpool2d(X3, 2)
    X5 = X4.transpose(0, 2, 3, 1).reshape(X4.shape[0], -1)
    O = jax.nn.softmax(jax.nn.relu(X5 @ U + b1) @ V + b2, axis=-1)
    assert O.shape[1] == 10
    assert O.shape[0] == X0.shape[0]
    return O
