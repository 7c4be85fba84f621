# typecheck: well-typed
"""Positional twin of typecheck/conv_lifted_time_group.py: a conv for `n c h w` mapped
over the groups (each with its own kernel) after merging batch and time."""

import jax
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def conv(
    X: Float[Array, "n c h w"], W: Float[Array, "o c kh kw"]
) -> Float[Array, "n o h-kh+1 w-kw+1"]:
    return jax.lax.conv(X, W, (1, 1), "VALID")


def program(
    X: Float[Array, "b t 4 3 16 12"],
    W: Float[Array, "4 2 3 3 5"],
):
    b, t = X.shape[:2]
    per_group = jax.vmap(conv, in_axes=(1, 0), out_axes=1)
    Y = per_group(X.reshape(b * t, 4, 3, 16, 12), W).reshape(b, t, 4, 2, 14, 8)
    assert Y.shape[-2:] == (14, 8)
    return Y.sum(axis=2)
