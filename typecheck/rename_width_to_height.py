# typecheck: ill-typed
"""Renaming `width` to `height` collides with the existing `height`."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X: Float[NamedArray, "batch:b height:28 width:28"]):
    return tl.rename(X, {"width": "height"})  # E: collides with the existing axis `height`
