# typecheck: ill-typed
"""A function mapped over `batch` may not return a `batch` axis of its own."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray


def per_example(x: NamedArray) -> NamedArray:
    return x * tl.named(jnp.ones((2,)), " batch")


def program(x: Float[NamedArray, "batch:b class:10"]):
    return tl.vmap(per_example, "batch")(x)  # E: the function's result already has the mapped
