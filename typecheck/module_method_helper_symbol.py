# typecheck: well-typed
"""A classifier module whose method calls a checked helper: `rms_norm` binds its own
`d` from `x`, which the module's `d` (bound by field `g`) must equal, and it does;
the method's return keeps the field symbol `k` of `W`."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def rms_norm(
    x: Float[NamedArray, "... embed:d"], g: Float[NamedArray, "embed:d"]
) -> Float[NamedArray, "... embed:d"]:
    return x / tl.sqrt(tl.mean(x * x, "embed") + 1e-6) * g


class Classifier(tl.TypedModule):
    g: Float[NamedArray, "embed:d"]
    W: Float[NamedArray, "embed:d class:k"]
    b: Float[NamedArray, "class:k"]

    @tl.typechecked
    def __call__(
        self, x: Float[NamedArray, "batch:b seq:n embed:d"]
    ) -> Float[NamedArray, "batch:b class:k"]:
        pooled = tl.mean(rms_norm(x, self.g), "seq")
        return tl.log_softmax(tl.dot(pooled, self.W, "embed") + self.b, "class")


def program(
    X: Float[NamedArray, "batch:b seq:n embed:128"],
    g: Float[NamedArray, "embed:128"],
    W: Float[NamedArray, "embed:128 class:k"],
    b: Float[NamedArray, "class:k"],
):
    logp = Classifier(g, W, b)(X)
    assert logp.sizes["class"] == W.sizes["class"]
    return logp
