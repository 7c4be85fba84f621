# typecheck: ill-typed
"""A dilated 1-D `Conv` (kernel 5, dilation 4) spans 17 positions of `time`; a clip
16 frames long, unpadded, has no window."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(x: Float[NamedArray, "batch:b channels:8 time:16"]):
    conv = tl.nn.Conv("time", "channels:8", "channels:8", 5, dilation=4, key=jax.random.PRNGKey(0))
    return conv(x)  # E: Conv: the kernel spans 17 positions of `time`, which has 16
