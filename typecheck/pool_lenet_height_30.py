# typecheck: ill-typed
"""LeNet on 30×30 images: X^3 has height 9, which the second 2×2 pool cannot divide."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X0: Float[NamedArray, "batch:b channels:1 height:30 width:30"],
    W1: Float[NamedArray, "channels':6 channels:1 kh:5 kw:5"],
    W2: Float[NamedArray, "channels':16 channels:6 kh:5 kw:5"],
):
    X1 = tl.rename(tl.relu(tl.conv2d(X0, W1)), {"channels'": "channels"})
    X2 = tl.maxpool2d(X1, 2, 2)
    X3 = tl.rename(tl.relu(tl.conv2d(X2, W2)), {"channels'": "channels"})
    return tl.maxpool2d(X3, 2, 2)  # E: `kh` (=2) does not divide axis `height` (=9)
