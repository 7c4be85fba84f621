# typecheck: ill-typed
"""maxpool2d by 2 on a symbolic height `h`: nothing proves 2 divides it."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("h >= 2", "w >= 2")


def program(X: Float[NamedArray, "batch:b channels:6 height:h width:w"]):
    return tl.maxpool2d(X, 2, 2)  # E: maxpool2d: cannot prove that 2 divides h (axis `height`)
