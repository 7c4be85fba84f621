# typecheck: ill-typed
"""`tl.nn.Stacked` over `Linear("embed:64", "hidden:64")`: the sizes match, but each
layer turns `embed` into `hidden`, so the scanned carry changes its names from one
layer to the next (`Linear("embed:64", "embed:64")` would keep them)."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(x: Float[NamedArray, "batch:b seq:n embed:64"]):
    stack = tl.nn.Stacked(
        lambda k: tl.nn.Linear("embed:64", "hidden:64", key=k), 3, key=jax.random.PRNGKey(0)
    )
    return stack(x)  # E: scan: the carry changed from f32[batch:b, seq:n, embed:64] to
