# typecheck: well-typed
"""Fix of https://github.com/bentrevett/pytorch-seq2seq/issues/89: the position
table has a row for every position of the longest batch (`max_length` raised to
128, the maintainer's advice)."""

import jax

import typedlenet as tl
from typedlenet import Int, NamedArray, nn

CONSTRAINTS = ("n <= 128",)


def program(src: Int[NamedArray, "batch:b seq:n"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    tok_embedding = nn.Embedding("vocab:7853", "hid:256", key=k1)
    pos_embedding = nn.Embedding("pos:128", "hid:256", key=k2)
    pos = tl.arange("seq", src.sizes["seq"])
    return tok_embedding(src) * 16.0 + pos_embedding(pos)
