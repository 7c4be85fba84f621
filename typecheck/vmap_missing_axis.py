# typecheck: ill-typed
"""vmap over `batch` when no argument has a `batch` axis."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X: Float[NamedArray, "example:b channels:1 height:28 width:28"]):
    return tl.vmap(tl.relu, "batch")(X)  # E: vmap: `args` has no axis `batch`
