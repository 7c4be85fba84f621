# typecheck: well-typed
"""A user `TypedModule`: a pre-norm residual MLP block whose three fields share `d`
and `f`. Built from abstract weights and applied twice to a symbolic batch and
sequence: the fields bind `d = 64`, `f = 256` once, `__call__` keeps the shape."""

import typedlenet as tl
from typedlenet import Float, NamedArray


class Residual(tl.TypedModule):
    g: Float[NamedArray, "embed:d"]
    W: Float[NamedArray, "embed:d hidden:f"]
    V: Float[NamedArray, "hidden:f embed:d"]

    @tl.typechecked
    def __call__(
        self, x: Float[NamedArray, "batch:b seq:n embed:d"]
    ) -> Float[NamedArray, "batch:b seq:n embed:d"]:
        h = x / tl.sqrt(tl.mean(x * x, "embed") + 1e-6) * self.g
        return x + tl.dot(tl.gelu(tl.dot(h, self.W, "embed")), self.V, "hidden")


def program(
    X: Float[NamedArray, "batch:b seq:n embed:64"],
    g: Float[NamedArray, "embed:64"],
    W: Float[NamedArray, "embed:64 hidden:256"],
    V: Float[NamedArray, "hidden:256 embed:64"],
):
    block = Residual(g, W, V)
    Y = block(block(X))
    assert Y.sizes == X.sizes
    return Y
