# typecheck: ill-typed
"""Positional twin of typecheck/dot_missing_axis_b.py: contraction over `c kh kw`, but
only the height was unfolded: the windows have no `kw` axis."""

import jax.numpy as jnp
from jaxtyping import Array, Float


def program(
    X: Float[Array, "b 3 16 16"],
    W: Float[Array, "8 3 3 3"],
):
    U = X[:, :, jnp.arange(14)[:, None] + jnp.arange(3)].transpose(0, 1, 2, 4, 3)
    return jnp.einsum("ocyx,bchwyx->bohw", W, U)  # E: U has no kw axis
