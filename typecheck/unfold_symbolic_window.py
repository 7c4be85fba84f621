# typecheck: well-typed
"""A filter whose width `k` is a symbol: `unfold` by `W.sizes["win"]` fits once
`t >= k` is a constraint, and gives `t-k+1` positions for every such t and k."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("t >= k",)


@tl.typechecked
def correlate(
    x: Float[NamedArray, "... time:t"], W: Float[NamedArray, "win:k"]
) -> Float[NamedArray, "... time:t-k+1"]:
    return tl.dot(tl.unfold(x, "time", "win", W.sizes["win"]), W, "win")


def program(
    x: Float[NamedArray, "batch:b channels:2 time:t"],
    W: Float[NamedArray, "win:k"],
):
    return correlate(x, W)
