# typecheck: ill-typed
"""A checked helper's annotation names `channel`; the image has `channels`."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def channel_mean(X: Float[NamedArray, "... channel height width"]) -> Float[NamedArray, "..."]:
    return tl.mean(X, "channel")


def program(X: Float[NamedArray, "batch:b channels:3 height:8 width:8"]):
    return channel_mean(X)  # E: missing axis `channel`
