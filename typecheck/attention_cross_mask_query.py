# typecheck: ill-typed
"""Cross-attention masks the source's padding, but renames the source's `seq` to
`query` instead of `key`: `where` meets `query` with m and n positions."""

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


def program(
    Q: Float[NamedArray, "batch:b query:n head:16"],
    K: Float[NamedArray, "batch:b key:m head:16"],
    source: Int[NamedArray, "batch:b seq:m"],
):
    keep = tl.rename(source != 0, {"seq": "query"})
    scores = tl.dot(Q, K, "head")
    masked = tl.where(keep, scores, -1e9)  # E: axis `query` has size n in argument 1 and m in
    return tl.softmax(masked, "key")
