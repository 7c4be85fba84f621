# typecheck: ill-typed
"""Unfolding `width` into a window named `kh`, which the height unfold already made."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X: Float[NamedArray, "batch:b height:28 width:28"]):
    U = tl.unfold(X, "height", "kh", 5)
    return tl.unfold(U, "width", "kh", 5)  # E: `window` (='kh') collides with an existing axis
