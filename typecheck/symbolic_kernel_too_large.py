# typecheck: ill-typed
"""With only `h >= 3` known, a 5×5 kernel cannot be proved to fit a symbolic height."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("h >= 3",)


def program(
    X: Float[NamedArray, "batch:b channels:1 height:h width:h"],
    W: Float[NamedArray, "channels':2 channels:1 kh:5 kw:5"],
):
    return tl.conv2d(X, W)  # E: conv2d: cannot prove that `kh` (=5) fits in `height` (=h)
