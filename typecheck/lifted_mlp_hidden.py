# typecheck: ill-typed
"""An MLP input that already has a `hidden` axis: the hidden layer would make another."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b hidden:4 inp:64"],
    W1: Float[NamedArray, "inp:64 hidden:32"],
    b1: Float[NamedArray, " hidden:32"],
    W2: Float[NamedArray, "hidden:32 out:3"],
    b2: Float[NamedArray, " out:3"],
):
    return tl.mlp(X, W1, b1, W2, b2)  # E: `X` has an axis `hidden`, which the hidden layer
