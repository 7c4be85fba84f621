# typecheck: ill-typed
"""Adding a conv output (height 24) to its input (height 28): `height` clashes."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b channels:6 height:28 width:28"],
    W: Float[NamedArray, "channels':6 channels:6 kh:5 kw:5"],
):
    Y = tl.rename(tl.conv2d(X, W), {"channels'": "channels"})
    return X + Y  # E: `+`: axis `height` has size 28 in the left operand and 24
