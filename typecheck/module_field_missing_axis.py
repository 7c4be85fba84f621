# typecheck: ill-typed
"""A square projection stored under `embed embed'` (as `tl.nn.Linear` names it) in a
module whose field annotation wants `embed hidden`: the field lacks `hidden`."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


class Projection(tl.TypedModule):
    W: Float[NamedArray, "embed:d hidden:h"]
    b: Float[NamedArray, "hidden:h"] | None

    @tl.typechecked
    def __call__(self, x: Float[NamedArray, "... embed:d"]) -> Float[NamedArray, "... hidden:h"]:
        y = tl.dot(x, self.W, "embed")
        return y if self.b is None else y + self.b


def program(x: Float[NamedArray, "batch:b seq:n embed:32"]):
    W = tl.nn.init(jax.random.PRNGKey(0), "embed:32 embed':32")
    projection = Projection(W, None)  # E: Projection(): field `W`: missing axis `hidden`
    return projection(x)
