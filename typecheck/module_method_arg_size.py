# typecheck: ill-typed
"""A text encoder's token embeddings are 128 wide, but the module's fields were built
for `embed:96`: the checked `__call__` rejects `x`, naming the field that bound `d`."""

import jax

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


class Pooler(tl.TypedModule):
    g: Float[NamedArray, "embed:d"]
    W: Float[NamedArray, "embed:d class:k"]

    @tl.typechecked
    def __call__(
        self, x: Float[NamedArray, "batch:b seq:n embed:d"]
    ) -> Float[NamedArray, "batch:b class:k"]:
        return tl.dot(tl.mean(x * self.g, "seq"), self.W, "embed")


def program(
    E: Float[NamedArray, "vocab:1000 embed:128"],
    tokens: Int[NamedArray, "batch:b seq:n"],
):
    pooler = Pooler(tl.nn.ones("embed:96"), tl.nn.init(jax.random.PRNGKey(0), "embed:96 class:3"))
    x = E[{"vocab": tokens}]
    return pooler(x)  # E: argument `x`, axis `embed`: expected size 96 (d, bound by field `g`
