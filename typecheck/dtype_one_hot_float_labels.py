# typecheck: ill-typed
"""one_hot wants Int labels; a float batch is not one."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(labels: Float[NamedArray, "batch:b"]):
    return tl.one_hot(labels, "class", 10)  # E: argument `labels`: dtype float32 is not an Int
