# typecheck: ill-typed
"""A per-channel bias over channels':8 on a conv with 6 output channels."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b channels:1 height:28 width:28"],
    W: Float[NamedArray, "channels':6 channels:1 kh:5 kw:5"],
    B: Float[NamedArray, " channels':8"],
):
    return tl.conv2d(X, W, B)  # E: axis `channels'` has size 6 in the left operand and 8
