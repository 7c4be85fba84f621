# typecheck: ill-typed
"""Pairs of neighbours along `time` are t-1 windows; windows of 3 break `time:t-1`."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("t >= 3",)


@tl.typechecked
def diff(x: Float[NamedArray, "... time:t"]) -> Float[NamedArray, "... time:t-1"]:
    step = tl.named(jnp.array([-1.0, 0.0, 1.0]), " lag")
    return tl.dot(tl.unfold(x, "time", "lag", 3), step, "lag")


def program(x: Float[NamedArray, "batch:b time:t feature:4"]):
    return diff(x)  # E: return value, axis `time`: expected size t - 1
