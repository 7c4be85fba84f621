# typecheck: ill-typed
"""Contracting `d` where the query has 16 and the key 32 positions."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    Q: Float[NamedArray, "batch:b seq:n d:16"],
    K: Float[NamedArray, "batch:b key:n d:32"],
):
    return tl.dot(Q, K, "d")  # E: dot: axis `d` has size 16 in `a` and 32 in `b`
