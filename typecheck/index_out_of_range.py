# typecheck: ill-typed
"""Position 3 of a `channels` axis of size 3."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X: Float[NamedArray, "batch:b channels:3 height:8 width:8"]):
    return tl.relu(X[{"channels": 3}])  # E: index 3 is out of range for axis `channels`
