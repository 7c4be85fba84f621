# typecheck: ill-typed
"""A `Linear` built for `embed:16` applied to embeddings 8 wide (a config that
halved the embedding but not the layer): the layer names its size and `x`'s."""

import jax

import typedlenet as tl
from typedlenet import Int, NamedArray


def program(tokens: Int[NamedArray, "batch:b seq:n"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    embedding = tl.nn.Embedding("vocab:100", "embed:8", key=k1)
    projection = tl.nn.Linear("embed:16", "hidden:32", key=k2)
    x = embedding(tokens)
    return projection(x)  # E: Linear: axis `embed` has size 16 in the layer and 8 in `x`
