# typecheck: well-typed
"""The seed's pooling, `max_{kh,kw}` of an unfold with stride = size, for a symbolic
`k × k` window on a height and width built as `m·k`, `n·k`: it gives `m` and `n` back."""

import typedlenet as tl
from typedlenet import Float, NamedArray

# JAX does not multiply inequalities: `k·m >= k` is given, not derived.
CONSTRAINTS = ("m >= 1", "n >= 1", "k >= 1", "k*m >= k", "k*n >= k")


@tl.typechecked
def pool(
    X: Float[NamedArray, "... height:H width:W"], P: Float[NamedArray, "kh:k kw:k"]
) -> Float[NamedArray, "... height:H//k width:W//k"]:
    k = P.sizes["kh"]
    U = tl.unfold(tl.unfold(X, "height", "kh", k, stride=k), "width", "kw", k, stride=k)
    return tl.max(U, "kh kw")


def program(
    X: Float[NamedArray, "batch:b height:m width:n"],
    P: Float[NamedArray, "kh:k kw:k"],
):
    repeated = tl.rename(X * P, {"kh": "dh", "kw": "dw"})
    big = tl.flatten(tl.flatten(repeated, "height dh", "height"), "width dw", "width")
    Y = pool(big, P)
    assert Y.sizes["height"] == X.sizes["height"]
    assert Y.sizes["width"] == X.sizes["width"]
    return Y
