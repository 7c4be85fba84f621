# typecheck: ill-typed
"""Token ids read as floats (straight from a data loader) cannot index `vocab`:
`take` wants an `Integer` NamedArray."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    E: Float[NamedArray, "vocab:1000 embed:64"],
    tokens: Float[NamedArray, "batch:b seq:n"],
):
    return tl.take(E, "vocab", tokens)  # E: argument `indices`: dtype float32 is not an Integer
