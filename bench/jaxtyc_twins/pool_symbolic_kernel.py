# typecheck: well-typed
"""Positional twin of typecheck/pool_symbolic_kernel.py: pooling by a symbolic `k × k`
window (a reshape with stride = size) on a height and width built as `m·k`, `n·k`."""

import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def pool(X: Float[Array, "*z H W"], P: Float[Array, "k k"]) -> Float[Array, "*z H//k W//k"]:
    k = P.shape[0]
    *lead, H, W = X.shape
    return jnp.max(X.reshape(*lead, H // k, k, W // k, k), axis=(-3, -1))


def program(
    X: Float[Array, "b m n"],
    P: Float[Array, "k k"],
):
    repeated = X[:, :, None, :, None] * P[:, None, :]
    big = repeated.reshape(X.shape[0], X.shape[1] * P.shape[0], X.shape[2] * P.shape[1])
    Y = pool(big, P)
    assert Y.shape[1] == X.shape[1]
    assert Y.shape[2] == X.shape[2]
    return Y
