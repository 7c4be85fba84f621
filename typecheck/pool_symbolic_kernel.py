# typecheck: well-typed
"""maxpool2d by a symbolic `k × k` window on a height and width built as `m·k`,
`n·k`: the divisibility is proved, and pooling gives `m` and `n` back."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("m >= 1", "n >= 1", "k >= 1", "(k*m) >= k", "(k*n) >= k")


def program(
    X: Float[NamedArray, "batch:b height:m width:n"],
    P: Float[NamedArray, "dh:k dw:k"],
):
    big = tl.flatten(tl.flatten(X * P, "height dh", "height"), "width dw", "width")
    k = P.sizes["dh"]
    Y = tl.maxpool2d(big, k, k)
    assert Y.sizes["height"] == X.sizes["height"]
    assert Y.sizes["width"] == X.sizes["width"]
    return Y
