# typecheck: ill-typed
"""`tl.named` refuses a name twice: a square kernel still needs `kh` and `kw`."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X: Float[NamedArray, "batch:b height:8 width:8"]):
    K = tl.named(jnp.ones((3, 3)), "k k")  # E: named: axis `k` appears twice
    return tl.dot(X, K, "k")
