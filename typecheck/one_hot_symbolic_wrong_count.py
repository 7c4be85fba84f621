# typecheck: ill-typed
"""Label smoothing for a symbolic class count `k` that builds its one-hot with the
vocabulary size `v` instead: the return annotation says `class:k`."""

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


@tl.typechecked
def smoothed(
    labels: Int[NamedArray, "batch:b"],
    logits: Float[NamedArray, "batch:b class:k"],
    E: Float[NamedArray, "vocab:v embed:d"],
) -> Float[NamedArray, "batch:b class:k"]:
    return 0.9 * tl.one_hot(labels, "class", E.sizes["vocab"]) + 0.1 / 10


def program(
    labels: Int[NamedArray, "batch:b"],
    logits: Float[NamedArray, "batch:b class:k"],
    E: Float[NamedArray, "vocab:v embed:d"],
):
    return smoothed(labels, logits, E)  # E: return value, axis `class`: expected size k
