# typecheck: well-typed
"""unfold with a stride: `(n-k)//s+1` windows, checked on a symbolic length."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("t >= 3",)


@tl.typechecked
def windows(
    x: Float[NamedArray, "... time:t"], k: int, s: int
) -> Float[NamedArray, "... time:(t-{k})//{s}+1 win:{k}"]:
    return tl.unfold(x, "time", "win", k, stride=s)


def program(x: Float[NamedArray, "batch:b time:t"]):
    filt = tl.named(jnp.ones((3,)), "win")
    return tl.dot(windows(x, 3, 2), filt, "win")
