# typecheck: ill-typed
"""maxpool2d by 2 on a symbolic height and width known only to be at least 2: the
divisibility cannot be proved, and the error says which constraint would prove it."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("h >= 2", "w >= 2")


@tl.typechecked
def features(
    X: Float[NamedArray, "batch:b channels:c height:h width:w"],
    W: Float[NamedArray, "channels':o channels:c kh:3 kw:3"],
) -> Float[NamedArray, "batch:b channels':o height:h width:w"]:
    padded = tl.pad(X, {"height": 1, "width": 1})
    return tl.relu(tl.conv2d(padded, W))


def program(
    X: Float[NamedArray, "batch:b channels:3 height:h width:w"],
    W: Float[NamedArray, "channels':8 channels:3 kh:3 kw:3"],
):
    Y = features(X, W)
    return tl.maxpool2d(Y, 2, 2)  # E: add a constraint such as `mod(h, 2) == 0`
