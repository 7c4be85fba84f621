# typecheck: ill-typed
"""softmax over `classes` when the logits' axis is `class`."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(logits: Float[NamedArray, "batch:b class:10"]):
    return tl.softmax(logits, "classes")  # E: has no axis `classes`
