# typecheck: well-typed
"""Positional twin of typecheck/vmap_over_batch.py: `jax.vmap` maps a one-image conv and
2×2 pooling over the batch."""

import jax
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


def maxpool2d(x, k):
    """The seed's pooling: non-overlapping k × k windows of the last two axes."""
    *lead, h, w = x.shape
    return x.reshape(*lead, h // k, k, w // k, k).max(axis=(-3, -1))


@jaxtyped(typechecker=beartype)
def one_image(X: Float[Array, "1 28 28"], W: Float[Array, "6 1 5 5"]) -> Float[Array, "6 12 12"]:
    return maxpool2d(jax.nn.relu(jax.lax.conv(X[None], W, (1, 1), "VALID"))[0], 2)


def program(
    X: Float[Array, "b 1 28 28"],
    W: Float[Array, "6 1 5 5"],
):
    Y = jax.vmap(one_image, in_axes=(0, None))(X, W)
    assert Y.shape[0] == X.shape[0]
    return Y
