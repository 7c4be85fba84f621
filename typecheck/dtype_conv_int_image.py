# typecheck: ill-typed
"""conv2d is annotated Float: an Int image (raw pixel values) must be cast first."""

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


def program(
    X: Int[NamedArray, "batch:b channels:1 height:28 width:28"],
    W: Float[NamedArray, "channels':6 channels:1 kh:5 kw:5"],
):
    return tl.conv2d(X, W)  # E: argument `X`: dtype int32 is not a Float dtype
