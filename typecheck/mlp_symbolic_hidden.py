# typecheck: well-typed
"""tl.mlp with a symbolic hidden width `d` and an extra `out` axis on its outer weight."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b inp:64"],
    W1: Float[NamedArray, "inp:64 hidden:d"],
    b1: Float[NamedArray, "hidden:d"],
    W2: Float[NamedArray, "out:3 hidden:d"],
    b2: Float[NamedArray, "out:3"],
):
    Y = tl.mlp(X, W1, b1, W2, b2)
    assert set(Y.names) == {"batch", "out"}
    return Y
