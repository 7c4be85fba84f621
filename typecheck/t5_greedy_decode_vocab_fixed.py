# typecheck: well-typed
"""One step of greedy decoding in an encoder-decoder model whose LM head and token
embedding share the padded vocabulary of 32128 entries: the `argmax` over `vocab`
always names a row of the embedding."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(state: Float[NamedArray, "batch:b embed:512"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    lm_head = nn.Linear("embed:512", "vocab:32128", key=k1)
    embedding = nn.Embedding("vocab:32128", "embed:512", key=k2)
    token = tl.argmax(lm_head(state), "vocab")
    return embedding(token)
