# typecheck: ill-typed
"""The MLP's bias b1 has hidden:100 while U binds hidden to 120."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X5: Float[NamedArray, "batch:b inp:256"],
    U: Float[NamedArray, "inp:256 hidden:120"],
    b1: Float[NamedArray, " hidden:100"],
    V: Float[NamedArray, "hidden:120 out:10"],
    b2: Float[NamedArray, " out:10"],
):
    return tl.mlp(X5, U, b1, V, b2)  # E: argument `b1`, axis `hidden`: expected size 120
