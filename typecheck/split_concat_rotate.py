# typecheck: well-typed
"""`split` a symbolic `time` into `2` and `t-2` and `concatenate` the pieces the
other way round: a rotation, with `time:t` again; `split` by a count needs a multiple."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("t >= 3",)


@tl.typechecked
def rotate2(x: Float[NamedArray, "... time:t"]) -> Float[NamedArray, "... time:t"]:
    head, rest = tl.split(x, "time", [2, x.sizes["time"] - 2])
    return tl.concatenate([rest, head], "time")


def program(x: Float[NamedArray, "batch:b time:t feature:8"]):
    low, high = tl.split(rotate2(x), "feature", 2)
    return tl.concatenate([high, low, high], "feature")
