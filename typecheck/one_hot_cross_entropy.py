# typecheck: well-typed
"""Cross-entropy: one_hot(labels) onto a new `class` axis against log_softmax over `class`."""

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


@tl.typechecked
def nll(
    logits: Float[NamedArray, "batch:b class:k"],
    labels: Int[NamedArray, "batch:b"],
) -> Float[NamedArray, ""]:
    target = tl.one_hot(labels, "class", logits.sizes["class"])
    return -tl.mean(tl.sum(target * tl.log_softmax(logits, "class"), "class"))


def program(
    logits: Float[NamedArray, "batch:b class:10"],
    labels: Int[NamedArray, "batch:b"],
):
    return nll(logits, labels)
