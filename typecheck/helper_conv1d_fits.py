# typecheck: well-typed
"""The fix of `helper_conv1d_short_input.py`: signals at least as long as the window;
the generic helper itself needs no hand-written constraint (its annotation implies
`t >= k`), its call states what it needs."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("t >= 3",)  # the signal is at least as long as the window


@tl.typechecked
def conv1d(
    x: Float[NamedArray, "... channels:c time:t"],
    W: Float[NamedArray, "channels' channels:c win:k"],
) -> Float[NamedArray, "... channels' time:t-k+1"]:
    return tl.dot(tl.unfold(x, "time", "win", W.sizes["win"]), W, "channels win")


def program(
    x: Float[NamedArray, "batch:b channels:2 time:t"],
    W: Float[NamedArray, "channels':3 channels:2 win:3"],
):
    return conv1d(x, W)
