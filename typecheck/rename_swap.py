# typecheck: well-typed
"""Renaming `height`↔`width` at once is a transpose by name, not a collision."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def transpose(
    X: Float[NamedArray, "... height:h width:w"],
) -> Float[NamedArray, "... height:w width:h"]:
    return tl.rename(X, {"height": "width", "width": "height"})


def program(X: Float[NamedArray, "batch:b height:h width:w"]):
    return transpose(transpose(X)) - X
