# typecheck: ill-typed
"""Contraction over `channels kh kw`, but the unfolded image has no `kw` yet."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b channels:3 height:16 width:16"],
    W: Float[NamedArray, "channels':8 channels:3 kh:3 kw:3"],
):
    U = tl.unfold(X, "height", "kh", 3)
    return tl.dot(W, U, "channels kh kw")  # E: dot: `b` has no axis `kw`
