# typecheck: well-typed
"""`tl.nn.Stacked` over a user `TypedModule`: each block is built (and its fields
checked) without the `layer` axis, the stack stores them with it, and the scan
hands each step one block whose checked `__call__` sees `d`, `f` bound by its
fields; for a symbolic batch and sequence."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


class Block(tl.TypedModule):
    W: Float[NamedArray, "embed:d hidden:f"]
    b: Float[NamedArray, "hidden:f"]
    V: Float[NamedArray, "hidden:f embed:d"]

    @tl.typechecked
    def __call__(self, x: Float[NamedArray, "... embed:d"]) -> Float[NamedArray, "... embed:d"]:
        return x + tl.dot(tl.relu(tl.dot(x, self.W, "embed") + self.b), self.V, "hidden")


def block(key: jax.Array) -> Block:
    k1, k2 = jax.random.split(key)
    W = tl.nn.init(k1, "embed:48 hidden:192")
    V = tl.nn.init(k2, "hidden:192 embed:48")
    return Block(W, tl.nn.zeros("hidden:192"), V)


def program(x: Float[NamedArray, "batch:b seq:n embed:48"]):
    stack = tl.nn.Stacked(block, 6, key=jax.random.PRNGKey(0))
    assert stack.layers.W.sizes == {"layer": 6, "embed": 48, "hidden": 192}
    third = tl.check_fields(stack.layer(2))
    assert third.W.sizes == {"embed": 48, "hidden": 192}
    y = stack(x)
    assert y.sizes == x.sizes
    return y + third(x)
