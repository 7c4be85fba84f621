# typecheck: well-typed
"""`tl.nn.Linear` by name: an output projection contracting two axes at once
(`heads key` → `embed`), a square layer whose output shares its input's name
(the weight calls it `embed'`, the result is `embed` again), and an `MLP`; every
other axis (`batch`, `seq`, symbolic) is lifted."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(H: Float[NamedArray, "batch:b seq:n heads:4 key:16"]):
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    merge = tl.nn.Linear("heads:4 key:16", "embed:64", key=k1)
    square = tl.nn.Linear("embed:64", "embed:64", key=k2, bias=False)
    mlp = tl.nn.MLP("embed:64", "hidden:256", "embed:64", key=k3, activation=tl.relu)
    assert set(square.W.names) == {"embed", "embed'"}
    x = merge(H)
    y = x + mlp(square(x))
    assert y.sizes == {"batch": H.sizes["batch"], "seq": H.sizes["seq"], "embed": 64}
    return y
