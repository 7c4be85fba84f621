# typecheck: well-typed
"""Fix of https://github.com/huggingface/transformers/issues/2446: the document is
tokenized with `truncation=True, max_length=512`, so it holds at most 512 tokens,
one for each of BERT's learned positions."""

import jax

import typedlenet as tl
from typedlenet import Int, NamedArray, nn

CONSTRAINTS = ("n <= 512",)


def program(input_ids: Int[NamedArray, "batch:b seq:n"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    word_embeddings = nn.Embedding("vocab:30522", "hidden:768", key=k1)
    position_embeddings = nn.Embedding("pos:512", "hidden:768", key=k2)
    position_ids = tl.arange("seq", input_ids.sizes["seq"])
    return word_embeddings(input_ids) + position_embeddings(position_ids)
