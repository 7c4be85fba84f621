# typecheck: ill-typed
"""conv2d on an X that already has a `kh` axis: the unfold would create a second one."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b kh:2 channels:1 height:28 width:28"],
    W: Float[NamedArray, "channels':6 channels:1 kh:5 kw:5"],
):
    return tl.conv2d(X, W)  # E: `X` has an axis `kh`, which the unfold would create
