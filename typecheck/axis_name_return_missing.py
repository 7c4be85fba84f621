# typecheck: ill-typed
"""A helper promises exactly `batch class`, but reducing `class` leaves `batch time`."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def pooled_logits(x: Float[NamedArray, "batch time class"]) -> Float[NamedArray, "batch class"]:
    return tl.max(x, "class")


def program(x: Float[NamedArray, "batch:b time:t class:10"]):
    return pooled_logits(x)  # E: return value: missing axis `class`
