# typecheck: well-typed
"""Scaled dot-product attention as a checked helper whose return annotation names
the scores' axes, `batch heads seq seq'`: the keys are renamed from `seq` to
`seq'` before the dot product over `key`."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def scores(
    q: Float[NamedArray, "batch heads seq:n key:d"],
    k: Float[NamedArray, "batch heads seq:n key:d"],
) -> Float[NamedArray, "batch heads seq:n seq':n"]:
    return tl.dot(q, tl.rename(k, {"seq": "seq'"}), "key") / k.sizes["key"] ** 0.5


def program(
    x: Float[NamedArray, "batch:b seq:n embed:64"], W: Float[NamedArray, "embed:64 heads:4 key:16"]
):
    q = tl.dot(x, W, "embed")
    return tl.softmax(scores(q, q), "seq'")
