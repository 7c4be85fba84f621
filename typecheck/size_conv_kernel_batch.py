# typecheck: ill-typed
"""A kernel per example must have the images' batch size: symbols `b` and `n` differ."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b channels:1 height:8 width:8"],
    W: Float[NamedArray, "batch:n channels:1 kh:3 kw:3"],
):
    return tl.conv2d(X, W)  # E: axis `batch` has size b in `X` and n in `W`
