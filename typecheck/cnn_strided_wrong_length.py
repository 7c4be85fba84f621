# typecheck: ill-typed
"""Two checked helpers: a stride-2 convolution without padding promises `time:t//2`,
but an unfold of 3 with stride 2 gives `(t-3)//2+1` positions."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("t >= 3",)


@tl.typechecked
def conv_s2(
    x: Float[NamedArray, "batch:b channels:c time:t"],
    W: Float[NamedArray, "out:o channels:c win:3"],
) -> Float[NamedArray, "batch:b out:o time:t//2"]:
    return tl.dot(W, tl.unfold(x, "time", "win", 3, stride=2), "channels win")


@tl.typechecked
def encode(
    x: Float[NamedArray, "batch:b channels:c time:t"],
    W: Float[NamedArray, "out:o channels:c win:3"],
) -> Float[NamedArray, "batch:b out:o"]:
    y = conv_s2(x, W)  # E: conv_s2(): return value, axis `time`: expected size t // 2
    return tl.mean(y, "time")


def program(
    x: Float[NamedArray, "batch:b channels:2 time:t"],
    W: Float[NamedArray, "out:8 channels:2 win:3"],
):
    return encode(x, W)
