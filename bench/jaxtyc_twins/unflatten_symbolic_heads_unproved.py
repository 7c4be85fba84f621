# typecheck: ill-typed
"""Positional twin of typecheck/unflatten_symbolic_heads_unproved.py: a symbolic
embedding `e` reshaped into `h × d` taken from another tensor: nothing says h·d = e."""

from jaxtyping import Array, Float


def program(
    X: Float[Array, "b n e"],
    scale: Float[Array, "h d"],
):
    heads = X.reshape(*X.shape[:-1], *scale.shape)  # E: h*d may not be e
    return heads * scale
