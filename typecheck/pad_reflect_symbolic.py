# typecheck: ill-typed
"""Reflect padding mirrors about the border element, so the axis needs two positions:
for a symbolic `time` with no constraint, that cannot be proved."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(x: Float[NamedArray, "batch:b time:t"]):
    return tl.pad(x, {"time": 1}, mode="reflect")  # E: pad: cannot prove that t >= 2 (axis `time`)
