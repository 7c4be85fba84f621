# typecheck: ill-typed
"""`nmap(jnp.outer)` returns two positional axes; tagging them with one name loses one."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(x: Float[NamedArray, "batch:b time:t"]):
    outer = tl.nmap(jnp.outer)(x.untag("time"), x.untag("time"))
    return outer.tag("time")  # E: tag: `names` ('time',) has 1 names but `x` has 2 positional axes
