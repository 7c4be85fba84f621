# typecheck: ill-typed
"""A filter of symbolic width `k` on a sequence of symbolic length `t`: with nothing
relating them, the window cannot be proved to fit."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("t >= 1", "k >= 1")


def program(
    x: Float[NamedArray, "batch:b time:t"],
    W: Float[NamedArray, "win:k"],
):
    k = W.sizes["win"]
    windows = tl.unfold(x, "time", "win", k)  # E: unfold: cannot prove that t >= k (axis `time`)
    return tl.dot(windows, W, "win")
