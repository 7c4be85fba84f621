# typecheck: ill-typed
"""Positional twin of typecheck/pool_height_seven.py: the seed's 2×2 pooling (a reshape
into non-overlapping windows) on a height of 7."""

from jaxtyping import Array, Float


def maxpool2d(x, k):
    """The seed's pooling: non-overlapping k × k windows of the last two axes."""
    *lead, h, w = x.shape
    return x.reshape(*lead, h // k, k, w // k, k).max(axis=(-3, -1))


def program(X: Float[Array, "b 6 7 8"]):
    return maxpool2d(X, 2)  # E: 2 does not divide 7
