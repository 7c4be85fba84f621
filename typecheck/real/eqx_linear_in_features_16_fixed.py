# typecheck: well-typed
"""Fix of https://github.com/patrick-kidger/equinox/issues/662: the `Linear` over
the last axis, `H*W`, has `in_features = 64`."""

import jax

from typedlenet import Float, NamedArray, nn


def program(inputs: Float[NamedArray, "batch:3 channels:16 pixels:64"]):
    linear_layer = nn.Linear("pixels:64", "out:16", key=jax.random.PRNGKey(0))
    return linear_layer(inputs)
