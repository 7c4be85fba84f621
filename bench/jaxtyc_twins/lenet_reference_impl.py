# typecheck: well-typed
"""Positional twin of typecheck/lenet_reference_impl.py: LeNet's features with the seed's
unfold-and-contract convolution and reshape pooling, against `lax.conv` and
`reduce_window`."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


def conv_reference(X, W):
    """The seed's conv2d: unfold height and width, contract `c kh kw`."""
    kh, kw = W.shape[2:]
    rows = jnp.arange(X.shape[2] - kh + 1)[:, None] + jnp.arange(kh)
    cols = jnp.arange(X.shape[3] - kw + 1)[:, None] + jnp.arange(kw)
    U = X[:, :, rows][:, :, :, :, cols]
    return jnp.einsum("ocyx,bchywx->bohw", W, U)


def maxpool_reference(x, k):
    """The seed's pooling: non-overlapping k × k windows of the last two axes."""
    *lead, h, w = x.shape
    return x.reshape(*lead, h // k, k, w // k, k).max(axis=(-3, -1))


def maxpool_fast(x, k):
    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, k, k), (1, 1, k, k), "VALID")


def program(
    X0: Float[Array, "b 1 28 28"],
    W1: Float[Array, "6 1 5 5"],
    W2: Float[Array, "16 6 5 5"],
):
    X1 = jax.nn.relu(conv_reference(X0, W1))
    X2 = maxpool_reference(X1, 2)
    X3 = jax.nn.relu(conv_reference(X2, W2))
    X4 = maxpool_reference(X3, 2)
    fast = maxpool_fast(jax.nn.relu(jax.lax.conv(X2, W2, (1, 1), "VALID")), 2)
    assert X4.shape == fast.shape
    return X4.transpose(0, 2, 3, 1).reshape(X4.shape[0], -1)
