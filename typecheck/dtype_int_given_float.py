# typecheck: ill-typed
"""A checked helper wants Int labels; the program hands it float scores."""

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


@tl.typechecked
def accuracy(
    predictions: Int[NamedArray, " batch"], labels: Int[NamedArray, " batch"]
) -> Float[NamedArray, ""]:
    return tl.mean(tl.where(predictions == labels, 1.0, 0.0))


def program(
    logits: Float[NamedArray, "batch:b class:10"],
    labels: Int[NamedArray, "batch:b"],
):
    scores = tl.max(logits, "class")
    return accuracy(scores, labels)  # E: dtype float32 is not an Int dtype
