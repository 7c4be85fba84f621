# typecheck: ill-typed
"""A two-level U-Net skip: pooled twice and upsampled twice, the decoder's height is
`4*floordiv(h, 4)`, which equals the encoder's `h` only when 4 divides `h`."""

import typedlenet as tl
from typedlenet import Float, NamedArray, nn

CONSTRAINTS = ("h >= 4", "w >= 4")


def program(x: Float[NamedArray, "batch:b channels:4 height:h width:w"]):
    down = nn.MaxPool("height width", 2)(nn.MaxPool("height width", 2)(x))
    up = tl.upsample(down, {"height": 4, "width": 4})
    return tl.concatenate([x, up], "channels")  # E: cannot prove that h ==
