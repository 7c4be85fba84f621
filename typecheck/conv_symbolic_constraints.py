# typecheck: well-typed
"""A checked conv on symbolic height and width: `h-kh+1` holds for every h >= 3."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("h >= 3", "w >= 3")


@tl.typechecked
def conv_relu(
    X: Float[NamedArray, "... channels:c height:h width:w"],
    W: Float[NamedArray, "... channels:c kh kw"],
) -> Float[NamedArray, "... height:h-kh+1 width:w-kw+1"]:
    return tl.relu(tl.conv2d(X, W))


def program(
    X: Float[NamedArray, "batch:b channels:2 height:h width:w"],
    W: Float[NamedArray, "channels':4 channels:2 kh:3 kw:3"],
):
    Y = conv_relu(X, W)
    assert Y.sizes["height"] == X.sizes["height"] - 2
    return Y
