# typecheck: well-typed
"""The LeNet features with `impl="reference"`: the seed's unfold, contraction and maximum."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X0: Float[NamedArray, "batch:b channels:1 height:28 width:28"],
    W1: Float[NamedArray, "channels':6 channels:1 kh:5 kw:5"],
    W2: Float[NamedArray, "channels':16 channels:6 kh:5 kw:5"],
):
    X1 = tl.rename(tl.relu(tl.conv2d(X0, W1, impl="reference")), {"channels'": "channels"})
    X2 = tl.maxpool2d(X1, 2, 2, impl="reference")
    X3 = tl.rename(tl.relu(tl.conv2d(X2, W2, impl="reference")), {"channels'": "channels"})
    X4 = tl.maxpool2d(X3, 2, 2, impl="reference")
    fast = tl.maxpool2d(tl.rename(tl.relu(tl.conv2d(X2, W2)), {"channels'": "channels"}), 2, 2)
    assert X4.sizes == fast.sizes
    return tl.flatten(X4, "height width channels", "inp")
