# typecheck: ill-typed
"""X^5 flattens X^4 to inp:256, but the MLP's U was built for inp:200."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X4: Float[NamedArray, "batch:b channels:16 height:4 width:4"],
    U: Float[NamedArray, "inp:200 hidden:120"],
    b1: Float[NamedArray, " hidden:120"],
    V: Float[NamedArray, "hidden:120 out:10"],
    b2: Float[NamedArray, " out:10"],
):
    X5 = tl.flatten(X4, "height width channels", "inp")
    return tl.mlp(X5, U, b1, V, b2)  # E: argument `W1`, axis `inp`: expected size 256
