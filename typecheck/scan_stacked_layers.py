# typecheck: well-typed
"""A residual MLP stack as one `tl.scan` over a stacked `layer` axis: each step sees
the weights without `layer`, and the carry keeps `batch seq embed` throughout."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def block(
    h: Float[NamedArray, "batch:b seq:n embed:d"],
    W: Float[NamedArray, "embed:d hidden:f"],
    V: Float[NamedArray, "hidden:f embed:d"],
) -> Float[NamedArray, "batch:b seq:n embed:d"]:
    return h + tl.dot(tl.gelu(tl.dot(h, W, "embed")), V, "hidden")


def program(
    X: Float[NamedArray, "batch:b seq:n embed:64"],
    W: Float[NamedArray, "layer:L embed:64 hidden:256"],
    V: Float[NamedArray, "layer:L hidden:256 embed:64"],
):
    def step(h, layer):
        return block(h, layer["W"], layer["V"]), tl.mean(h, "seq embed")

    h, means = tl.scan(step, X, {"W": W, "V": V}, "layer")
    assert means.names == ("layer", "batch")
    return h
