# typecheck: well-typed
"""Fix of https://github.com/TheMistoAI/MistoControlNet-Flux-dev/issues/19: the
pooled text embedding comes from CLIP-L, 768 wide, as the ControlNet's
`vector_in` projection expects."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(pooled: Float[NamedArray, "batch:1 clip:768"]):
    vector_in = nn.MLP("clip:768", "hidden:3072", "hidden':3072", key=jax.random.PRNGKey(0))
    return tl.silu(vector_in(pooled))
