# typecheck: ill-typed
"""Port of https://github.com/huggingface/transformers/issues/2446: BERT's 512
learned positions read at `arange(seq)` for a document tokenized without
truncation (`index out of range: Tried to access index 512 out of table with 511
rows`). The document may be any length up to 2048 tokens."""

import jax

import typedlenet as tl
from typedlenet import Int, NamedArray, nn

CONSTRAINTS = ("n <= 2048",)


def program(input_ids: Int[NamedArray, "batch:b seq:n"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    word_embeddings = nn.Embedding("vocab:30522", "hidden:768", key=k1)
    position_embeddings = nn.Embedding("pos:512", "hidden:768", key=k2)
    position_ids = tl.arange("seq", input_ids.sizes["seq"])
    return word_embeddings(input_ids) + position_embeddings(position_ids)  # E: n <= 512
