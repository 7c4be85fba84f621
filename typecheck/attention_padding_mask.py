# typecheck: well-typed
"""Self-attention over embedded tokens with a padding mask: `tokens != 0` is a Bool
over `seq`, renamed to `key` and broadcast by name onto the scores by `tl.where`."""

import typedlenet as tl
from typedlenet import Bool, Float, Int, NamedArray


@tl.typechecked
def padding_mask(tokens: Int[NamedArray, "batch:b seq:n"]) -> Bool[NamedArray, "batch:b key:n"]:
    return tl.rename(tokens != 0, {"seq": "key"})


@tl.typechecked
def attention(
    X: Float[NamedArray, "batch:b seq:n embed:d"],
    keep: Bool[NamedArray, "batch:b key:n"],
    Wq: Float[NamedArray, "embed:d head:k"],
    Wk: Float[NamedArray, "embed:d head:k"],
    Wv: Float[NamedArray, "embed:d embed':d"],
) -> Float[NamedArray, "batch:b seq:n embed':d"]:
    Q = tl.dot(X, Wq, "embed")
    K = tl.rename(tl.dot(X, Wk, "embed"), {"seq": "key"})
    V = tl.rename(tl.dot(X, Wv, "embed"), {"seq": "key"})
    scores = tl.where(keep, tl.dot(Q, K, "head") / 4.0, -1e9)
    return tl.dot(tl.softmax(scores, "key"), V, "key")


def program(
    E: Float[NamedArray, "vocab:500 embed:32"],
    tokens: Int[NamedArray, "batch:b seq:n"],
    Wq: Float[NamedArray, "embed:32 head:16"],
    Wk: Float[NamedArray, "embed:32 head:16"],
    Wv: Float[NamedArray, "embed:32 embed':32"],
):
    X = E[{"vocab": tokens}]
    return attention(X, padding_mask(tokens), Wq, Wk, Wv)
