# typecheck: ill-typed
"""The kernel's `channels` must match the image's."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b channels:3 height:28 width:28"],
    W: Float[NamedArray, "channels':8 channels:1 kh:5 kw:5"],
):
    return tl.conv2d(X, W)  # E: argument `W`, axis `channels`: expected size 3
