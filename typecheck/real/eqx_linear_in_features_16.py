# typecheck: ill-typed
"""Port of https://github.com/patrick-kidger/equinox/issues/662: inputs `(B, C,
H*W) = (3, 16, 64)` and a `Linear(16, 16)` meant for the last axis, `H*W`: as the
reply says, `in_features` should be 64, the size of that axis."""

import jax

from typedlenet import Float, NamedArray, nn


def program(inputs: Float[NamedArray, "batch:3 channels:16 pixels:64"]):
    linear_layer = nn.Linear("pixels:16", "out:16", key=jax.random.PRNGKey(0))
    return linear_layer(inputs)  # E: axis `pixels` has size 16 in the layer and 64
