# typecheck: ill-typed
"""The default LeNet (grayscale, `c1 = 1`) fed RGB images: the checked `__call__`
rejects `X0`, naming the field `W1` that bound `c1`."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X0: Float[NamedArray, "batch:b channels:3 height:28 width:28"]):
    model = tl.LeNet(key=jax.random.PRNGKey(0))
    return model(X0)  # E: argument `X0`, axis `channels`: expected size 1 (c1, bound by field `W1`
