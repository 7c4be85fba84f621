# typecheck: well-typed
"""argmax over `class` gives Int predictions, compared by name with Int labels."""

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


@tl.typechecked
def predict(logits: Float[NamedArray, "... class"]) -> Int[NamedArray, "..."]:
    return tl.argmax(logits, "class")


def program(
    logits: Float[NamedArray, "batch:b class:10"],
    labels: Int[NamedArray, "batch:b"],
):
    correct = predict(logits) == labels
    return tl.mean(tl.where(correct, 1.0, 0.0))
