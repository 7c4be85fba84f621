# typecheck: well-typed
"""Cross-entropy for a symbolic class count `k`: `one_hot` takes `logits.sizes["class"]`,
and unsigned labels (`UInt`) are labels too."""

import typedlenet as tl
from typedlenet import Float, NamedArray, UInt


@tl.typechecked
def nll(
    logits: Float[NamedArray, "batch:b class:k"],
    labels: UInt[NamedArray, "batch:b"],
) -> Float[NamedArray, ""]:
    target = tl.one_hot(labels, "class", logits.sizes["class"])
    return -tl.mean(tl.sum(target * tl.log_softmax(logits, "class"), "class"))


def program(
    X: Float[NamedArray, "batch:b inp:64"],
    W: Float[NamedArray, "inp:64 class:k"],
    labels: UInt[NamedArray, "batch:b"],
):
    return nll(tl.dot(X, W, "inp"), labels)
