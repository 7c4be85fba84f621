# typecheck: ill-typed
"""A checked helper binds `d` from `x`; `y` brings a different `feature` size."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def cosine(
    x: Float[NamedArray, "... feature:d"], y: Float[NamedArray, "... feature:d"]
) -> Float[NamedArray, "..."]:
    return tl.dot(x, y, "feature") / tl.sqrt(tl.dot(x, x, "feature") * tl.dot(y, y, "feature"))


def program(
    x: Float[NamedArray, "batch:b feature:64"],
    y: Float[NamedArray, "batch:b feature:32"],
):
    return cosine(x, y)  # E: argument `y`, axis `feature`: expected size 64
