# typecheck: ill-typed
"""Flattening `height width` into `channels`, an axis that is not flattened."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X: Float[NamedArray, "batch:b channels:16 height:4 width:4"]):
    return tl.flatten(X, "height width", "channels")  # E: `into` (='channels') collides
