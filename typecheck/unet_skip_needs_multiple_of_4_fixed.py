# typecheck: well-typed
"""The fix of `unet_skip_needs_multiple_of_4.py`: the input's sizes are written as
multiples of 4 (`height:4*m`), the family the checker reports."""

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(x: Float[NamedArray, "batch:b channels:4 height:4*m width:4*k"]):
    down = nn.MaxPool("height width", 2)(nn.MaxPool("height width", 2)(x))
    up = tl.upsample(down, {"height": 4, "width": 4})
    return tl.concatenate([x, up], "channels")
