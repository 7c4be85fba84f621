# typecheck: ill-typed
"""A padding mask renamed `seq` → `key` (the convention of a hand-written attention)
given to `tl.nn.MultiHeadAttention`, whose scores call the keys' axis `seq'` and
whose `key` is the head dimension, contracted away: the mask's `key` is not an
axis of the scores."""

import jax

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


def program(
    x: Float[NamedArray, "batch:b seq:n embed:32"],
    tokens: Int[NamedArray, "batch:b seq:n"],
):
    attention = tl.nn.MultiHeadAttention("embed:32", heads=4, key_size=8, key=jax.random.PRNGKey(0))
    keep = tl.rename(tokens != 0, {"seq": "key"})
    return attention(x, mask=keep)  # E: `mask` has the axis `key`, which the scores
