# typecheck: well-typed
"""Positional twin of typecheck/unflatten_symbolic_heads.py: heads merged into the
embedding by a reshape and split out again with symbolic sizes."""

from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def split_heads(x: Float[Array, "*z e"], like: Float[Array, "h d"]) -> Float[Array, "*z h d"]:
    return x.reshape(*x.shape[:-1], *like.shape)


def program(
    X: Float[Array, "b n h d"],
    scale: Float[Array, "h d"],
):
    merged = X.reshape(*X.shape[:2], -1)
    return split_heads(merged, scale) * scale - X
