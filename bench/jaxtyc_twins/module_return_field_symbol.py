# typecheck: ill-typed
"""Positional twin of typecheck/module_return_field_symbol.py: a copy-paste slip,
`values` projects with `Wk` (16 wide) instead of `Wv` (32 wide)."""

import equinox as eqx
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
class Head(eqx.Module):
    Wk: Float[Array, "d k"]
    Wv: Float[Array, "d v"]

    @jaxtyped(typechecker=beartype)
    def keys(self, x: Float[Array, "*z d"]) -> Float[Array, "*z k"]:
        return x @ self.Wk

    @jaxtyped(typechecker=beartype)
    def values(self, x: Float[Array, "*z d"]) -> Float[Array, "*z v"]:
        return x @ self.Wk


def program(
    x: Float[Array, "b n 64"],
    Wk: Float[Array, "64 16"],
    Wv: Float[Array, "64 32"],
):
    head = Head(Wk, Wv)
    K = head.keys(x)
    return K, head.values(x)  # E: values are 16 wide, Wv makes 32
