# typecheck: well-typed
"""The fix of `arange_positions_past_table.py`: the lengths are stated to fit the
16-row position table."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("n <= 16",)


def program(X: Float[NamedArray, "batch:b seq:n embed:8"], P: Float[NamedArray, "pos:16 embed:8"]):
    positions = tl.arange("seq", X.sizes["seq"])
    return X + tl.take(P, "pos", positions)
