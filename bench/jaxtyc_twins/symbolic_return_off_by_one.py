# typecheck: ill-typed
"""Positional twin of typecheck/symbolic_return_off_by_one.py: a helper claims
`h-kh`; the convolution gives `h-kh+1`."""

import jax
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def conv(
    X: Float[Array, "b c h w"], W: Float[Array, "o c kh kw"]
) -> Float[Array, "b o h-kh w-kw+1"]:
    return jax.lax.conv(X, W, (1, 1), "VALID")


def program(
    X: Float[Array, "b 3 h w"],
    W: Float[Array, "8 3 5 5"],
):
    return conv(X, W)  # E: h - 5 promised, h - 4 given
