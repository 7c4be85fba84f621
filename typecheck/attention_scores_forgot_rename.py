# typecheck: ill-typed
"""Scaled dot-product attention as a checked helper whose return annotation names
the scores' axes, `batch heads seq seq'`. The keys were not renamed from `seq` to
`seq'` before the dot product, so `seq` is shared, not contracted or paired: the
scores come out `batch heads seq` (one score per position against itself), which
a softmax over `seq` would accept silently. Only the return annotation catches it,
at the call."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def scores(
    q: Float[NamedArray, "batch heads seq:n key:d"],
    k: Float[NamedArray, "batch heads seq:n key:d"],
) -> Float[NamedArray, "batch heads seq:n seq':n"]:
    return tl.dot(q, k, "key") / k.sizes["key"] ** 0.5


def program(
    x: Float[NamedArray, "batch:b seq:n embed:64"], W: Float[NamedArray, "embed:64 heads:4 key:16"]
):
    q = tl.dot(x, W, "embed")
    return tl.softmax(scores(q, q), "seq'")  # E: return value: missing axis `seq'`
