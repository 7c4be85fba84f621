# typecheck: ill-typed
"""A learned position table of 16 rows, read at `arange("seq", n)` for a symbolic
length `n`: a sequence longer than the table reads past its end (NaN under jit)."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X: Float[NamedArray, "batch:b seq:n embed:8"], P: Float[NamedArray, "pos:16 embed:8"]):
    positions = tl.arange("seq", X.sizes["seq"])
    return X + tl.take(P, "pos", positions)  # E: cannot prove that n <= 16
