# typecheck: ill-typed
"""Port of https://github.com/bentrevett/pytorch-seq2seq/issues/89 ("Attention is
All You Need" tutorial): the encoder's learned positions are
`nn.Embedding(max_length=100, hid_dim)` read at `torch.arange(0, src_len)`; a
dataset with sentences longer than 100 tokens fails with `index out of range:
Tried to access index 100 out of table with 99 rows`. Here the batches hold up
to 128 tokens."""

import jax

import typedlenet as tl
from typedlenet import Int, NamedArray, nn

CONSTRAINTS = ("n <= 128",)


def program(src: Int[NamedArray, "batch:b seq:n"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    tok_embedding = nn.Embedding("vocab:7853", "hid:256", key=k1)
    pos_embedding = nn.Embedding("pos:100", "hid:256", key=k2)
    pos = tl.arange("seq", src.sizes["seq"])
    return tok_embedding(src) * 16.0 + pos_embedding(pos)  # E: cannot prove that n <= 100
