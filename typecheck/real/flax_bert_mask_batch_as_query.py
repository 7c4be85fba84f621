# typecheck: ill-typed
"""Port of https://github.com/huggingface/transformers/issues/8790 (FlaxBert): a
batch of 3 padded sentences of 7 tokens failed with `Incompatible shapes for
broadcasting: ((3, 12, 7, 7), (1, 1, 3, 7))`. The attention mask `(batch, seq)`
was expanded as `[None, None, :, :]`, so its batch axis stood where the scores
have their query axis. Named: the mask's `batch` is renamed to `seq`, the query
axis, instead of keeping `batch` and naming its token axis the keys' `seq'`."""

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


def program(
    q: Float[NamedArray, "batch:3 heads:12 seq:7 key:64"],
    k: Float[NamedArray, "batch:3 heads:12 seq:7 key:64"],
    attention_mask: Int[NamedArray, "batch:3 seq:7"],
):
    scores = tl.dot(q, tl.rename(k, {"seq": "seq'"}), "key") / 8.0
    mask = tl.rename(attention_mask, {"batch": "seq", "seq": "seq'"})
    bias = tl.where(mask > 0, 0.0, -1e9)
    return tl.softmax(scores + bias, "seq'")  # E: axis `seq` has size 7
