# typecheck: well-typed
"""The fix of `router_more_experts_than_table.py`: the router scores the 4 experts
the table holds."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b embed:8"],
    router: Float[NamedArray, "embed:8 expert:4"],
    experts: Float[NamedArray, "expert:4 embed:8 out:8"],
):
    choice = tl.argmax(tl.dot(X, router, "embed"), "expert")
    W = tl.take(experts, "expert", choice)
    return tl.dot(X, W, "embed")
