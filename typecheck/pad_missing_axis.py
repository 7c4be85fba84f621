# typecheck: ill-typed
"""Causal padding of `time` on a tensor whose sequence axis is called `seq`."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(x: Float[NamedArray, "batch:b seq:n embed:32"]):
    return tl.pad(x, {"time": (2, 0)})  # E: pad: `x` has no axis `time` (it has `batch`, `seq`
