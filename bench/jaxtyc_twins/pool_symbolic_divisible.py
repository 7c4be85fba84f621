# typecheck: well-typed
"""Positional twin of typecheck/pool_symbolic_divisible.py: a height built as 2·m is
divisible by 2, and pooling gives `m` back."""

import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


def maxpool2d(x, k):
    """The seed's pooling: non-overlapping k × k windows of the last two axes."""
    *lead, h, w = x.shape
    return x.reshape(*lead, h // k, k, w // k, k).max(axis=(-3, -1))


@jaxtyped(typechecker=beartype)
def pool2(X: Float[Array, "*z h w"]) -> Float[Array, "*z h//2 w//2"]:
    return maxpool2d(X, 2)


def program(X: Float[Array, "b m n"]):
    pair = jnp.ones((2, 2))
    repeated = X[:, :, None, :, None] * pair[:, None, :]
    doubled = repeated.reshape(X.shape[0], 2 * X.shape[1], 2 * X.shape[2])
    Y = pool2(doubled)
    assert Y.shape[1] == X.shape[1]
    return Y
