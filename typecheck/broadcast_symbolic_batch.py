# typecheck: ill-typed
"""Two batches of symbolic sizes `b` and `n` cannot be multiplied by name."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    x: Float[NamedArray, "batch:b class:10"],
    y: Float[NamedArray, "batch:n class:10"],
):
    return tl.where(x > 0.0, x, y)  # E: axis `batch` has size b in argument 1 and n in argument 2
