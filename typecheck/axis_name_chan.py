# typecheck: ill-typed
"""An image whose channel axis is named `chan` is not an image with `channels`."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b chan:1 height:28 width:28"],
    W: Float[NamedArray, "channels':6 channels:1 kh:5 kw:5"],
):
    return tl.conv2d(X, W)  # E: argument `X`: missing axis `channels`
