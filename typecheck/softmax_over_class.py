# typecheck: well-typed
"""softmax and log_softmax over `class` keep every axis; their sum over `class` drops it."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def probabilities(
    logits: Float[NamedArray, "... class:k"],
) -> Float[NamedArray, "... class:k"]:
    return tl.softmax(logits, "class")


@tl.typechecked
def total(p: Float[NamedArray, "... class"]) -> Float[NamedArray, "..."]:
    return tl.sum(p, "class")


def program(logits: Float[NamedArray, "batch:b time:t class:10"]):
    p = probabilities(logits)
    log_p = tl.log_softmax(logits, "class")
    assert set(total(p).names) == {"batch", "time"}
    return tl.sum(p * log_p, "class") + tl.logsumexp(logits, "class")
