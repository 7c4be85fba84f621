# typecheck: ill-typed
"""Token ids that arrive as floats (a loader that normalised everything) given to
`tl.nn.Embedding`: the lookup wants integer indices."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(tokens: Float[NamedArray, "batch:b seq:n"]):
    embedding = tl.nn.Embedding("vocab:100", "embed:16", key=jax.random.PRNGKey(0))
    return embedding(tokens)  # E: Embedding: `tokens` must be a NamedArray of integers, got float32
