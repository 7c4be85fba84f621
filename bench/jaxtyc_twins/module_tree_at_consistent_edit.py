# typecheck: well-typed
"""Positional twin of typecheck/module_tree_at_consistent_edit.py: a layer built without
its optional bias, then given one of the right width with `eqx.tree_at`."""

import equinox as eqx
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
class Dense(eqx.Module):
    W: Float[Array, "e h"]
    b: Float[Array, " h"] | None

    @jaxtyped(typechecker=beartype)
    def __call__(self, x: Float[Array, "*z e"]) -> Float[Array, "*z h"]:
        y = x @ self.W
        return y if self.b is None else y + self.b


def program(
    x: Float[Array, "b n 64"],
    W: Float[Array, "64 h"],
    b: Float[Array, " h"],
):
    bare = Dense(W, None)
    dense = eqx.tree_at(lambda m: m.b, bare, b, is_leaf=lambda v: v is None)
    assert dense.b is not None
    return dense(x) - bare(x)
