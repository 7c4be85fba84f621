# typecheck: well-typed
"""A causal filter of symbolic width `k`: `pad` by the symbolic `(k-1, 0)` and
`unfold` by `k`, and `time` keeps its size `t` for every k and t."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("k >= 1", "t >= 1")


@tl.typechecked
def causal(
    x: Float[NamedArray, "... time:t"], W: Float[NamedArray, "win:k"]
) -> Float[NamedArray, "... time:t"]:
    k = W.sizes["win"]
    past = tl.pad(x, {"time": (k - 1, 0)})
    return tl.dot(tl.unfold(past, "time", "win", k), W, "win")


def program(
    x: Float[NamedArray, "batch:b channels:4 time:t"],
    W1: Float[NamedArray, "win:k"],
    W2: Float[NamedArray, "win:k"],
):
    return causal(tl.relu(causal(x, W1)), W2)
