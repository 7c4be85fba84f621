# typecheck: ill-typed
"""Positional twin of typecheck/nn_conv_too_few_channels.py: a Conv2d built for RGB fed
grayscale images."""

import equinox as eqx
import jax
from jaxtyping import Array, Float


def program(X: Float[Array, "b 1 28 28"]):
    conv = eqx.nn.Conv2d(3, 8, 3, padding="SAME", key=jax.random.PRNGKey(0))
    return jax.vmap(conv)(X)  # E: 3 channels against 1
