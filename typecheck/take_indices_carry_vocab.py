# typecheck: ill-typed
"""A lookup whose indices already carry the axis they index: `tokens` has `vocab`
(a top-k of vocabulary ids, say), so `take` over `vocab` is ambiguous."""

from typedlenet import Float, Int, NamedArray


def program(
    E: Float[NamedArray, "vocab:1000 embed:64"],
    tokens: Int[NamedArray, "batch:b vocab:5"],
):
    return E[{"vocab": tokens}]  # E: take: `indices` has the axis `vocab`, which it would index
