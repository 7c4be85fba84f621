# typecheck: ill-typed
"""A scan whose step contracts `embed` and returns the result under `embed'`: the
carry must keep its names from layer to layer."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    h: Float[NamedArray, "batch:b embed:64"],
    W: Float[NamedArray, "layer:L embed:64 embed':64"],
):
    def step(h, w):
        return tl.relu(tl.dot(h, w, "embed")), None

    h, _ = tl.scan(step, h, W, "layer")  # E: the carry changed from f32[batch:b, embed:64] to
    return h
