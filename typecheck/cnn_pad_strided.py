# typecheck: well-typed
"""A strided 1-D CNN written with the notation: `pad` by one on each side, `unfold`
with stride 2, contract `channels win` by `dot`: `time` becomes `(t-1)//2+1`."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("t >= 1",)


@tl.typechecked
def conv_s2(
    x: Float[NamedArray, "batch:b channels:c time:t"],
    W: Float[NamedArray, "channels':o channels:c win:3"],
) -> Float[NamedArray, "batch:b channels:o time:(t-1)//2+1"]:
    windows = tl.unfold(tl.pad(x, {"time": 1}), "time", "win", 3, stride=2)
    y = tl.relu(tl.dot(W, windows, "channels win"))
    return tl.rename(y, {"channels'": "channels"})


def program(
    x: Float[NamedArray, "batch:b channels:3 time:t"],
    W1: Float[NamedArray, "channels':16 channels:3 win:3"],
    W2: Float[NamedArray, "channels':32 channels:16 win:3"],
):
    y = conv_s2(conv_s2(x, W1), W2)
    return tl.mean(y, "time")
