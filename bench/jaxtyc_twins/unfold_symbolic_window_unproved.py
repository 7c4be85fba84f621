# typecheck: ill-typed
"""Positional twin of typecheck/unfold_symbolic_window_unproved.py: a filter of symbolic
width `k` on a sequence of symbolic length `t`, nothing relating them."""

import jax
from jaxtyping import Array, Float


def program(
    x: Float[Array, "b t"],
    W: Float[Array, " k"],
):
    windows = jax.lax.conv_general_dilated(x[:, None], W[None, None], (1,), "VALID")  # E: t >= k?
    return windows[:, 0]
