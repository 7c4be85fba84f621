# typecheck: ill-typed
"""unflatten of inp:256 into 4·4·6: the sizes multiply to 96."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X5: Float[NamedArray, "batch:b inp:256"]):
    return tl.unflatten(X5, "inp", {"height": 4, "width": 4, "channels": 6})  # E: multiply to 96
