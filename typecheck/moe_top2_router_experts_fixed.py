# typecheck: well-typed
"""A top-2 mixture-of-experts feed-forward layer: a router scores each token over
8 experts, `top_k` picks two, and their weights are gathered from a stacked table
of the same 8 experts."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(x: Float[NamedArray, "batch:b seq:n embed:32"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    router = nn.Linear("embed:32", "expert:8", key=k1)
    experts = nn.init(k2, "expert:8 embed:32 out:32", fan_in="embed")
    gate, choice = tl.top_k(tl.softmax(router(x), "expert"), "expert", 2, into="choice")
    W = tl.take(experts, "expert", choice)
    y = tl.dot(x, W, "embed")
    return tl.sum(y * gate, "choice")
