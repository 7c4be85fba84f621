# typecheck: ill-typed
"""Positional twin of typecheck/nmap_axis_clash.py: a per-channel `jnp.convolve` mapped
over the channels: the signal has 8, the filters 4."""

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


def program(
    x: Float[Array, "b 8 t"],
    taps: Float[Array, "4 5"],
):
    convolve = jax.vmap(jax.vmap(jnp.convolve), in_axes=(0, None))
    filtered = convolve(x, taps)  # E: 8 channels against 4
    return filtered
