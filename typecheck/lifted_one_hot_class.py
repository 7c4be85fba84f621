# typecheck: ill-typed
"""one_hot onto `class` when the labels already carry a `class` axis."""

import typedlenet as tl
from typedlenet import Int, NamedArray


def program(labels: Int[NamedArray, "batch:b class:3"]):
    return tl.one_hot(labels, "class", 10)  # E: axis `class` appears twice in the result
