# typecheck: ill-typed
"""A helper claims `height:h-kh`; conv2d gives `h-kh+1`, for every symbolic h."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("h >= 5", "w >= 5")


@tl.typechecked
def conv(
    X: Float[NamedArray, "... channels:c height:h width:w"],
    W: Float[NamedArray, "... channels:c kh kw"],
) -> Float[NamedArray, "... height:h-kh width:w-kw+1"]:
    return tl.conv2d(X, W)


def program(
    X: Float[NamedArray, "batch:b channels:3 height:h width:w"],
    W: Float[NamedArray, "channels':8 channels:3 kh:5 kw:5"],
):
    return conv(X, W)  # E: return value, axis `height`: expected size h - 5
