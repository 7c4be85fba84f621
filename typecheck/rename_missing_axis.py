# typecheck: ill-typed
"""The seed's X^1 rename of `channels'`, applied after it was already renamed."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X0: Float[NamedArray, "batch:b channels:1 height:28 width:28"],
    W1: Float[NamedArray, "channels':6 channels:1 kh:5 kw:5"],
):
    X1 = tl.rename(tl.relu(tl.conv2d(X0, W1)), {"channels'": "channels"})
    return tl.rename(X1, {"channels'": "channels"})  # E: rename: `x` has no axis `channels'`
