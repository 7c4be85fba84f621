# typecheck: well-typed
"""Positional twin of typecheck/conv_symbolic_constraints.py: a checked conv on a
symbolic height and width (the corpus adds `h >= 3`, `w >= 3`; jaxtyping cannot)."""

import jax
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def conv_relu(
    X: Float[Array, "b c h w"], W: Float[Array, "o c kh kw"]
) -> Float[Array, "b o h-kh+1 w-kw+1"]:
    return jax.nn.relu(jax.lax.conv(X, W, (1, 1), "VALID"))


def program(
    X: Float[Array, "b 2 h w"],
    W: Float[Array, "4 2 3 3"],
):
    Y = conv_relu(X, W)
    assert Y.shape[2] == X.shape[2] - 2
    return Y
