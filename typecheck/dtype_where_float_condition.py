# typecheck: ill-typed
"""tl.where needs a Bool condition, not the float scores themselves."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(scores: Float[NamedArray, "batch:b class:10"]):
    return tl.where(scores, scores, 0.0)  # E: argument `condition`: dtype float32 is not a Bool
