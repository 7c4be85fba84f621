# typecheck: well-typed
"""A ConvNeXt-style 1-D block over `time` for a symbolic batch and length: a
depthwise `Conv` (`groups=64`, kernel 7, `padding="same"`, so `time` stays `t`)
with a residual, `LayerNorm` over `embed`, and a pointwise `MLP`."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(x: Float[NamedArray, "batch:b time:t embed:64"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    depthwise = tl.nn.Conv("time", "embed:64", "embed:64", 7, padding="same", groups=64, key=k1)
    assert depthwise.W.sizes == {"embed'": 64, "embed": 1, "k_time": 7}
    pointwise = tl.nn.MLP("embed:64", "hidden:256", "embed:64", key=k2)
    y = x + pointwise(tl.nn.LayerNorm("embed:64")(depthwise(x)))
    assert y.sizes == x.sizes
    return y
