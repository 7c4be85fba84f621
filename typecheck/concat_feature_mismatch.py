# typecheck: ill-typed
"""Concatenating along `time` needs every other axis to agree: `feature` is 64 in one
clip and 80 in the other."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    a: Float[NamedArray, "batch:b time:t feature:64"],
    c: Float[NamedArray, "feature:80 batch:b time:s"],
):
    return tl.concatenate([a, c], "time")  # E: axis `feature` has size 64 in `xs[0]` and 80
