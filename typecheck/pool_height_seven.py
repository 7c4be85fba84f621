# typecheck: ill-typed
"""maxpool2d by 2 on a height of 7: the seed's `height: 7/2` is not a size."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X: Float[NamedArray, "batch:b channels:6 height:7 width:8"]):
    return tl.maxpool2d(X, 2, 2)  # E: `kh` (=2) does not divide axis `height` (=7)
