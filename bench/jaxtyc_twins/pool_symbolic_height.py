# typecheck: ill-typed
"""Positional twin of typecheck/pool_symbolic_height.py: the seed's 2×2 pooling on a
symbolic height `h`: nothing says 2 divides it."""

from jaxtyping import Array, Float


def maxpool2d(x, k):
    """The seed's pooling: non-overlapping k × k windows of the last two axes."""
    *lead, h, w = x.shape
    return x.reshape(*lead, h // k, k, w // k, k).max(axis=(-3, -1))


def program(X: Float[Array, "b 6 h w"]):
    return maxpool2d(X, 2)  # E: 2 may not divide h
