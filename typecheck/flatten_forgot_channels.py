# typecheck: ill-typed
"""Flattening only `height width` leaves inp:16 (and `channels`), not U's inp:256."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X0: Float[NamedArray, "batch:b channels:1 height:28 width:28"],
    W1: Float[NamedArray, "channels':6 channels:1 kh:5 kw:5"],
    W2: Float[NamedArray, "channels':16 channels:6 kh:5 kw:5"],
    U: Float[NamedArray, "inp:256 hidden:120"],
    b1: Float[NamedArray, " hidden:120"],
    V: Float[NamedArray, "hidden:120 out:10"],
    b2: Float[NamedArray, " out:10"],
):
    X1 = tl.rename(tl.relu(tl.conv2d(X0, W1)), {"channels'": "channels"})
    X2 = tl.maxpool2d(X1, 2, 2)
    X3 = tl.rename(tl.relu(tl.conv2d(X2, W2)), {"channels'": "channels"})
    X4 = tl.maxpool2d(X3, 2, 2)
    X5 = tl.flatten(X4, "height width", "inp")
    return tl.mlp(X5, U, b1, V, b2)  # E: axis `inp`: expected size 16
