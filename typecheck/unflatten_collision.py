# typecheck: ill-typed
"""unflatten of `inp` into a new `batch` axis, which the input already has."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X5: Float[NamedArray, "batch:b inp:256"]):
    return tl.unflatten(X5, "inp", {"batch": 16, "channels": 16})  # E: the new axis `batch`
