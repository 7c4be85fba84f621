# typecheck: ill-typed
"""A `LayerNorm("embed:64")` placed after the MLP's first layer, whose output is
`hidden`: the input has no `embed` to normalise over."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(x: Float[NamedArray, "batch:b seq:n embed:64"]):
    up = tl.nn.Linear("embed:64", "hidden:64", key=jax.random.PRNGKey(0))
    norm = tl.nn.LayerNorm("embed:64")
    h = tl.gelu(up(x))
    return norm(h)  # E: LayerNorm: `x` has no axis `embed` (it has
