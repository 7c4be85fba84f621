# typecheck: ill-typed
"""Positional twin of typecheck/nn_conv_kernel_too_long.py: a dilated Conv1d (kernel 5,
dilation 4) spans 17 positions; a clip 16 frames long, unpadded, has no window."""

import equinox as eqx
import jax
from jaxtyping import Array, Float


def program(x: Float[Array, "b 8 16"]):
    conv = eqx.nn.Conv1d(8, 8, 5, dilation=4, key=jax.random.PRNGKey(0))
    return jax.vmap(conv)(x)  # E: the kernel spans 17 of 16 positions
