# typecheck: well-typed
"""Three heads' logits `stack`ed on a new `member` axis: the ensemble's mean and
`var` over `member` have the heads' own axes."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    X: Float[NamedArray, "batch:b inp:32"],
    A: Float[NamedArray, "inp:32 class:10"],
    B: Float[NamedArray, "class:10 inp:32"],
    C: Float[NamedArray, "inp:32 class:10"],
):
    members = tl.stack([tl.dot(X, W, "inp") for W in (A, B, C)], "member")
    assert members.sizes["member"] == 3
    return tl.mean(members, "member"), tl.var(members, "member")
