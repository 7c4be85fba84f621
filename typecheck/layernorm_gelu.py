# typecheck: well-typed
"""A layer norm by name (`mean` and `var` over `embed`) and a feed-forward with
`tl.gelu` and `tl.lift(jax.nn.gelu)(x, approximate=False)`, computed in bfloat16."""

import jax
import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def layer_norm(x: Float[NamedArray, "... embed:d"]) -> Float[NamedArray, "... embed:d"]:
    return (x - tl.mean(x, "embed")) / tl.sqrt(tl.var(x, "embed") + 1e-5)


def program(
    x: Float[NamedArray, "batch:b seq:n embed:64"],
    W: Float[NamedArray, "embed:64 hidden:128"],
):
    h = tl.dot(layer_norm(x).astype(jnp.bfloat16), tl.astype(W, jnp.bfloat16), "embed")
    exact = tl.lift(jax.nn.gelu)(h, approximate=False)
    y = (exact + tl.gelu(h)).astype(jnp.float32)
    assert y.dtype == jnp.float32
    return y
