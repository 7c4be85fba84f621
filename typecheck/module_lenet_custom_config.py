# typecheck: well-typed
"""LeNet built for 32×32 RGB images (`channels=(3, 8, 16)`, 64 hidden units, 5
classes): its typed fields now bind `c1 = 3`, `c2 = 8`, `h1 = 16·5·5 = 400`, and
its checked `__call__` accepts 3-channel 32×32 images for a symbolic batch."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X0: Float[NamedArray, "batch:b channels:3 height:32 width:32"]):
    model = tl.LeNet(
        key=jax.random.PRNGKey(0), height=32, width=32, channels=(3, 8, 16), hidden=64, classes=5
    )
    assert model.W1.sizes == {"channels'": 8, "channels": 3, "kh": 5, "kw": 5}
    assert model.U.sizes == {"inp": 400, "hidden": 64}
    log_probs = model.log_probs(X0)
    assert log_probs.sizes == {"batch": X0.sizes["batch"], "class": 5}
    return log_probs
