# typecheck: ill-typed
"""A router scoring 6 experts whose choice picks from a table of only 4: under jit
the missing experts read as NaN."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b embed:8"],
    router: Float[NamedArray, "embed:8 expert:6"],
    experts: Float[NamedArray, "expert:4 embed:8 out:8"],
):
    choice = tl.argmax(tl.dot(X, router, "embed"), "expert")
    W = tl.take(experts, "expert", choice)  # E: hold positions up to 5 (argmax over expert:6)
    return tl.dot(X, W, "embed")
