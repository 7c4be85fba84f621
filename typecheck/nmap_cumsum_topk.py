# typecheck: well-typed
"""Positional functions lifted by name: `cumsum` along `time`, a norm over `embed`,
and `top_k` over `vocab`, each given its axes by `untag` and named back by `tag`."""

import jax
import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    x: Float[NamedArray, "batch:b time:t embed:16"],
    logits: Float[NamedArray, "batch:b vocab:1000"],
):
    running = tl.nmap(jnp.cumsum)(x.untag("time")).tag("time")
    norms = tl.nmap(jnp.linalg.norm)(tl.untag(running, "embed"))
    values, where = tl.nmap(jax.lax.top_k)(logits.untag("vocab"), 5)
    best = tl.tag(values, "best")
    assert tl.tag(where, "best").sizes["best"] == 5
    return norms, best
