# typecheck: well-typed
"""Cross-attention with `tl.nn.MultiHeadAttention`: queries from a decoder sequence
of length `n`, keys and values from an encoder context of another length `m`
(both along `seq`; the layer renames the context's to `seq'`), and a padding mask
over the context, `batch seq'`. The result has the queries' `batch seq embed`."""

import jax

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


def program(
    x: Float[NamedArray, "batch:b seq:n embed:64"],
    context: Float[NamedArray, "batch:b seq:m embed:64"],
    source: Int[NamedArray, "batch:b seq:m"],
):
    attention = tl.nn.MultiHeadAttention("embed:64", heads=8, key_size=8, key=jax.random.PRNGKey(0))
    keep = tl.rename(source != 0, {"seq": "seq'"})
    y = attention(x, context, mask=keep)
    assert y.sizes == x.sizes
    return tl.nn.LayerNorm("embed:64")(x + y)
