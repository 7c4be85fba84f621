# typecheck: ill-typed
"""Stacked weights have a `layer` axis, but the bias passed with them is shared and
has none: every array scanned over must carry `layer`."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    h: Float[NamedArray, "batch:b embed:64"],
    W: Float[NamedArray, "layer:L embed:64 hidden:64"],
    bias: Float[NamedArray, "embed:64"],
):
    def step(h, p):
        return h + tl.rename(tl.dot(h, p["W"], "embed"), {"hidden": "embed"}) + p["bias"], None

    xs = {"W": W, "bias": bias}
    h, _ = tl.scan(step, h, xs, "layer")  # E: must be a NamedArray with the axis `layer`
    return h
