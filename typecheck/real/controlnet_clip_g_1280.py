# typecheck: ill-typed
"""Port of https://github.com/TheMistoAI/MistoControlNet-Flux-dev/issues/19:
`mat1 and mat2 shapes cannot be multiplied (1x1280 and 768x3072)`: the pooled text
embedding came from a CLIP text encoder 1280 wide (CLIP-G) where the Flux
ControlNet's `vector_in` projection was built for CLIP-L's 768."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(pooled: Float[NamedArray, "batch:1 clip:1280"]):
    vector_in = nn.MLP("clip:768", "hidden:3072", "hidden':3072", key=jax.random.PRNGKey(0))
    return tl.silu(vector_in(pooled))  # E: axis `clip` has size 768 in the layer and 1280
