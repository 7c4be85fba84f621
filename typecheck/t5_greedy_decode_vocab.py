# typecheck: ill-typed
"""One step of greedy decoding in an encoder-decoder model whose LM head is padded
to 32128 entries (a multiple of 128, as T5's is) while its token embedding has
the tokenizer's 32100 rows. The `argmax` over the head's `vocab` can choose one of
the 28 padding entries, and feeding it back reads past the embedding's end."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(state: Float[NamedArray, "batch:b embed:512"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    lm_head = nn.Linear("embed:512", "vocab:32128", key=k1)
    embedding = nn.Embedding("vocab:32100", "embed:512", key=k2)
    token = tl.argmax(lm_head(state), "vocab")
    return embedding(token)  # E: hold positions up to 32127
