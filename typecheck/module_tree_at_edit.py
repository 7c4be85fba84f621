# typecheck: ill-typed
"""A fine-tuning script swaps a layer's bias with `eqx.tree_at` for one of the wrong
width. `tree_at` skips the constructor's check; the checked `__call__` re-checks
the fields at the first use and names the edited one."""

import equinox as eqx
import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


class Dense(tl.TypedModule):
    W: Float[NamedArray, "embed:e hidden:h"]
    b: Float[NamedArray, "hidden:h"] | None

    @tl.typechecked
    def __call__(self, x: Float[NamedArray, "... embed:e"]) -> Float[NamedArray, "... hidden:h"]:
        y = tl.dot(self.W, x, "embed")
        return y if self.b is None else y + self.b


def program(x: Float[NamedArray, "batch:b embed:32"]):
    dense = Dense(tl.nn.init(jax.random.PRNGKey(0), "embed:32 hidden:64"), tl.nn.zeros("hidden:64"))
    tuned = eqx.tree_at(lambda m: m.b, dense, tl.nn.zeros("hidden:32"))
    return tuned(x)  # E: Dense(): field `b`, axis `hidden`: expected size 64 (h, bound by field `W`
