# typecheck: ill-typed
"""A window of 5 along a height of 4."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X: Float[NamedArray, "batch:b channels:16 height:4 width:4"]):
    return tl.unfold(X, "height", "kh", 5)  # E: `size` (=5) is larger than axis `height` (=4)
