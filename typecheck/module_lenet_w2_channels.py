# typecheck: ill-typed
"""LeNet with a second-layer kernel swapped in by `eqx.tree_at` that expects 8 input
channels, while `W1` makes 6: `c2` is bound by `W1`'s `channels'`, and the
checked call re-checks the fields before any convolution runs."""

import equinox as eqx
import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X0: Float[NamedArray, "batch:b channels:1 height:28 width:28"],
    W2: Float[NamedArray, "channels':16 channels:8 kh:5 kw:5"],
):
    model = eqx.tree_at(lambda m: m.W2, tl.LeNet(key=jax.random.PRNGKey(0)), W2)
    return model(X0)  # E: field `W2`, axis `channels`: expected size 6 (c2, bound by field `W1`
