# typecheck: well-typed
"""`tl.vmap` maps a one-image conv2d and maxpool2d over the `batch` axis."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def one_image(
    X: Float[NamedArray, "channels:1 height:28 width:28"],
    W: Float[NamedArray, "channels':6 channels:1 kh:5 kw:5"],
) -> Float[NamedArray, "channels':6 height:12 width:12"]:
    return tl.maxpool2d(tl.relu(tl.conv2d(X, W)), 2, 2)


def program(
    X: Float[NamedArray, "batch:b channels:1 height:28 width:28"],
    W: Float[NamedArray, "channels':6 channels:1 kh:5 kw:5"],
):
    Y = tl.vmap(one_image, "batch")(X, W)
    assert Y.names[0] == "batch"
    return Y
