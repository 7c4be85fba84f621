# typecheck: well-typed
"""A causal filter: `pad` `time` by `(2, 0)` (edge or constant) before an unfold of
3, so every output sees only the past and `time` keeps its symbolic size `t`."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def causal(
    x: Float[NamedArray, "... time:t"], W: Float[NamedArray, "win:3"]
) -> Float[NamedArray, "... time:t"]:
    past = tl.pad(x, {"time": (2, 0)}, mode="edge")
    return tl.dot(tl.unfold(past, "time", "win", 3), W, "win")


def program(
    x: Float[NamedArray, "batch:b channels:4 time:t"],
    W: Float[NamedArray, "win:3"],
):
    zero_padded = tl.pad(x, {"time": (2, 0)}, mode="constant", value=0.0)
    return causal(x, W) + tl.unfold(zero_padded, "time", "win", 3)[{"win": 2}]
