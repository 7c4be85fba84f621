# typecheck: ill-typed
"""A generic `conv1d` whose return annotation writes `time:t-k+1`, called with a
window longer than the signal: the call breaks what the annotation implies."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def conv1d(
    x: Float[NamedArray, "... channels:c time:t"],
    W: Float[NamedArray, "channels' channels:c win:k"],
) -> Float[NamedArray, "... channels' time:t-k+1"]:
    return tl.dot(tl.unfold(x, "time", "win", W.sizes["win"]), W, "channels win")


def program(
    x: Float[NamedArray, "batch:b channels:2 time:4"],
    W: Float[NamedArray, "channels':3 channels:2 win:5"],
):
    return conv1d(x, W)  # E: its return annotation's size `t-k+1` is 0 for k=5, t=4
