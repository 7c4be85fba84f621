# typecheck: well-typed
"""Positional twin of typecheck/index_and_slice.py: an integer index drops an axis; a
slice keeps it, shorter."""

from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def crop(X: Float[Array, "*z h w"]) -> Float[Array, "*z h-2 w"]:
    return X[..., 1:-1, :]


def program(X: Float[Array, "b 3 10 10"]):
    first = X[:, 0]
    assert first.ndim == 3
    return crop(first)
