# typecheck: well-typed
"""Attention by name: scores over `key`, softmax over `key`, values contracted over `key`."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def attention(
    Q: Float[NamedArray, "... seq:n d:k"],
    K: Float[NamedArray, "... seq:m d:k"],
    V: Float[NamedArray, "... seq:m dv"],
) -> Float[NamedArray, "... seq:n dv"]:
    scores = tl.dot(Q, tl.rename(K, {"seq": "key"}), "d")
    weights = tl.softmax(scores, "key")
    return tl.dot(weights, tl.rename(V, {"seq": "key"}), "key")


def program(
    Q: Float[NamedArray, "batch:b heads:4 seq:n d:16"],
    K: Float[NamedArray, "d:16 seq:m heads:4 batch:b"],
    V: Float[NamedArray, "batch:b seq:m heads:4 dv:8"],
):
    return attention(Q, K, V)
