# typecheck: ill-typed
"""Positional twin of typecheck/scan_xs_missing_layer.py: stacked weights have a leading
layer axis, but the shared bias scanned with them has none."""

import jax
from jaxtyping import Array, Float


def program(
    h: Float[Array, "b 64"],
    W: Float[Array, "L 64 64"],
    bias: Float[Array, " 64"],
):
    def step(h, p):
        return h + h @ p["W"] + p["bias"], None

    xs = {"W": W, "bias": bias}
    h, _ = jax.lax.scan(step, h, xs)  # E: bias has no layer axis
    return h
