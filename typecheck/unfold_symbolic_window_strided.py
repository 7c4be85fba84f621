# typecheck: ill-typed
"""A symbolic window `k` that fits (`t >= k`) but with stride 2: a symbolic window is
unfolded with stride 1 or stride `k` only."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("t >= k",)


def program(
    x: Float[NamedArray, "batch:b time:t"],
    W: Float[NamedArray, "win:k"],
):
    k = W.sizes["win"]
    windows = tl.unfold(x, "time", "win", k, stride=2)  # E: `stride` (=2) must be 1 or equal
    return tl.dot(windows, W, "win")
