# typecheck: ill-typed
"""Splitting a symbolic `time` into two equal halves: nothing says t is even."""

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("t >= 2",)


def program(x: Float[NamedArray, "batch:b time:t"]):
    first, second = tl.split(x, "time", 2)  # E: split: cannot prove that 2 divides t (axis `time`)
    return first - second
