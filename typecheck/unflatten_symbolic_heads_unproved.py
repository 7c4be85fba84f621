# typecheck: ill-typed
"""Splitting a symbolic `embed:e` into `heads:h × dh:d` taken from another tensor:
nothing says `h·d == e`, so `unflatten` asks for that constraint."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b seq:n embed:e"],
    scale: Float[NamedArray, "heads:h dh:d"],
):
    sizes = {"heads": scale.sizes["heads"], "dh": scale.sizes["dh"]}
    heads = tl.unflatten(X, "embed", sizes)  # E: cannot prove that (d*h) == e (axis `embed`)
    return heads * scale
