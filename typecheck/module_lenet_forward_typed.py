# typecheck: well-typed
"""The seed's LeNet as a module with typed fields (conv biases on): its fields bind
`c1 = 1`, `c2 = 6`, `c3 = 16`, `h1 = 256`, `h2 = 120`, `h3 = 10`, and its checked
methods run X^0 to O for a symbolic batch `b`."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X0: Float[NamedArray, "batch:b channels:1 height:28 width:28"]):
    model = tl.check_fields(tl.LeNet(key=jax.random.PRNGKey(0), conv_bias=True))
    X = model.forward(X0)
    assert X["X4"].sizes == {"batch": X0.sizes["batch"], "channels": 16, "height": 4, "width": 4}
    assert X["X5"].sizes["inp"] == model.U.sizes["inp"] == 256
    O = model(X0)
    assert O.sizes == {"batch": X0.sizes["batch"], "class": 10}
    return O
