# typecheck: ill-typed
"""Contraction over `hidden`, an axis the input does not have."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b inp:256"],
    W: Float[NamedArray, "inp:256 hidden:120"],
):
    H = tl.dot(W, X, "inp")
    return tl.dot(X, H, "hidden")  # E: dot: `a` has no axis `hidden`
