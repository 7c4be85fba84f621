# typecheck: well-typed
"""conv2d is written for one image; `time` and `group` are lifted through it."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def conv(
    X: Float[NamedArray, "... channels:c height:h width:w"],
    W: Float[NamedArray, "... channels:c kh kw"],
) -> Float[NamedArray, "... height:h-kh+1 width:w-kw+1"]:
    return tl.conv2d(X, W)


def program(
    X: Float[NamedArray, "batch:b time:t group:4 channels:3 height:16 width:12"],
    W: Float[NamedArray, "group:4 channels':2 channels:3 kh:3 kw:5"],
):
    Y = conv(X, W)
    assert set(Y.names) == {"batch", "time", "group", "channels'", "height", "width"}
    assert (Y.sizes["height"], Y.sizes["width"]) == (14, 8)
    return tl.sum(Y, "group")
