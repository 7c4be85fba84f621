# typecheck: well-typed
"""Positional twin of typecheck/unfold_symbolic_window.py: a filter of symbolic width
`k` correlated along time gives `t-k+1` positions (the corpus adds `t >= k`)."""

import jax
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def correlate(x: Float[Array, "b c t"], W: Float[Array, " k"]) -> Float[Array, "b c t-k+1"]:
    flat = x.reshape(-1, 1, x.shape[-1])
    y = jax.lax.conv_general_dilated(flat, W[None, None], (1,), "VALID")
    return y.reshape(x.shape[0], x.shape[1], y.shape[-1])


def program(
    x: Float[Array, "b 2 t"],
    W: Float[Array, " k"],
):
    return correlate(x, W)
