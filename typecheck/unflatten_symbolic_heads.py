# typecheck: well-typed
"""Heads merged into `embed` and split out again with symbolic sizes: `unflatten`
proves `h·d` is the size of `embed` for every h and d."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def split_heads(
    x: Float[NamedArray, "... embed:e"], like: Float[NamedArray, "heads:h dh:d"]
) -> Float[NamedArray, "... heads:h dh:d"]:
    return tl.unflatten(x, "embed", {"heads": like.sizes["heads"], "dh": like.sizes["dh"]})


def program(
    X: Float[NamedArray, "batch:b seq:n heads:h dh:d"],
    scale: Float[NamedArray, "heads:h dh:d"],
):
    merged = tl.flatten(X, "heads dh", "embed")
    return split_heads(merged, scale) * scale - X
