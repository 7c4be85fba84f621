# typecheck: ill-typed
"""A feed-forward module whose bias was made for a different hidden size: field `W`
binds `f = 256`, field `b` brings 512. Construction fails, naming both fields."""

import typedlenet as tl
from typedlenet import Float, NamedArray


class FeedForward(tl.TypedModule):
    W: Float[NamedArray, "embed:d hidden:f"]
    b: Float[NamedArray, "hidden:f"]
    V: Float[NamedArray, "hidden:f embed:d"]

    @tl.typechecked
    def __call__(self, x: Float[NamedArray, "... embed:d"]) -> Float[NamedArray, "... embed:d"]:
        return tl.dot(tl.relu(tl.dot(x, self.W, "embed") + self.b), self.V, "hidden")


def program(
    x: Float[NamedArray, "batch:b embed:64"],
    W: Float[NamedArray, "embed:64 hidden:256"],
    b: Float[NamedArray, "hidden:512"],
    V: Float[NamedArray, "hidden:256 embed:64"],
):
    ff = FeedForward(W, b, V)  # E: field `b`, axis `hidden`: expected size 256 (f, bound by
    return ff(x)
