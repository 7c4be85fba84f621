# typecheck: well-typed
"""Axis order is storage only: every tensor of LeNet declared in an unusual order."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X0: Float[NamedArray, "width:28 batch:b height:28 channels:1"],
    W1: Float[NamedArray, "kw:5 channels:1 kh:5 channels':6"],
    W2: Float[NamedArray, "kh:5 channels':16 kw:5 channels:6"],
    U: Float[NamedArray, "hidden:120 inp:256"],
    b1: Float[NamedArray, " hidden:120"],
    V: Float[NamedArray, "out:10 hidden:120"],
    b2: Float[NamedArray, " out:10"],
):
    X1 = tl.rename(tl.relu(tl.conv2d(X0, W1)), {"channels'": "channels"})
    X2 = tl.maxpool2d(X1, 2, 2)
    X3 = tl.rename(tl.relu(tl.conv2d(X2, W2)), {"channels'": "channels"})
    X4 = tl.maxpool2d(X3, 2, 2)
    X5 = tl.flatten(X4, "height width channels", "inp")
    logits = tl.rename(tl.mlp(X5, U, b1, V, b2), {"out": "class"})
    return tl.softmax(logits, "class").align("class batch")
