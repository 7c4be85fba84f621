# typecheck: ill-typed
"""A context/target split of an 8-step window into 3 and 4 steps: they add up to 7."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(x: Float[NamedArray, "batch:b time:8 feature:16"]):
    context, target = tl.split(x, "time", [3, 4])  # E: add up to 7, not to the size of axis `time`
    return tl.mean(context, "time") - tl.mean(target, "time")
