# typecheck: well-typed
"""A layer built without its optional bias (`b: ... | None` holds None), then given
one with `eqx.tree_at`: the new bias agrees with `h` (bound by field `W`), so
`check_fields` passes and the checked method, which re-checks the fields, runs."""

import equinox as eqx

import typedlenet as tl
from typedlenet import Float, NamedArray


class Dense(tl.TypedModule):
    W: Float[NamedArray, "embed:e hidden:h"]
    b: Float[NamedArray, "hidden:h"] | None

    @tl.typechecked
    def __call__(self, x: Float[NamedArray, "... embed:e"]) -> Float[NamedArray, "... hidden:h"]:
        y = tl.dot(self.W, x, "embed")
        return y if self.b is None else y + self.b


def program(
    x: Float[NamedArray, "batch:b seq:n embed:64"],
    W: Float[NamedArray, "embed:64 hidden:h"],
    b: Float[NamedArray, "hidden:h"],
):
    bare = Dense(W, None)
    dense = tl.check_fields(eqx.tree_at(lambda m: m.b, bare, b, is_leaf=lambda v: v is None))
    assert dense.b is not None
    return dense(x) - bare(x)
