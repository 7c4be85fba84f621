# typecheck: well-typed
"""Fix of https://github.com/huggingface/transformers/issues/8790 (FlaxBert): the
attention mask `(batch, seq)` keeps its `batch` axis and names its token axis the
keys' `seq'`, so it broadcasts over heads and queries."""

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


def program(
    q: Float[NamedArray, "batch:3 heads:12 seq:7 key:64"],
    k: Float[NamedArray, "batch:3 heads:12 seq:7 key:64"],
    attention_mask: Int[NamedArray, "batch:3 seq:7"],
):
    scores = tl.dot(q, tl.rename(k, {"seq": "seq'"}), "key") / 8.0
    mask = tl.rename(attention_mask, {"seq": "seq'"})
    bias = tl.where(mask > 0, 0.0, -1e9)
    return tl.softmax(scores + bias, "seq'")
