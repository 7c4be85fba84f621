# typecheck: well-typed
"""`floor=True` pools a height of 7 by 2 into 3, dropping the last row."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def pool(
    X: Float[NamedArray, "... height:h width:w"], k: int
) -> Float[NamedArray, "... height:h//{k} width:w//{k}"]:
    return tl.maxpool2d(X, k, k, floor=True)


def program(X: Float[NamedArray, "batch:b channels:6 height:7 width:9"]):
    Y = pool(X, 2)
    assert (Y.sizes["height"], Y.sizes["width"]) == (3, 4)
    return Y
