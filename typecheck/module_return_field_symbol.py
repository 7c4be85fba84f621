# typecheck: ill-typed
"""A copy-paste slip in an attention head: `values` projects with `Wk` and renames
`key` to `value`. The names pass, but the return annotation's `v` is the size
that field `Wv` bound (32), and the result's `value` has `Wk`'s 16."""

import typedlenet as tl
from typedlenet import Float, NamedArray


class Head(tl.TypedModule):
    Wk: Float[NamedArray, "embed:d key:k"]
    Wv: Float[NamedArray, "embed:d value:v"]

    @tl.typechecked
    def keys(self, x: Float[NamedArray, "... embed:d"]) -> Float[NamedArray, "... key:k"]:
        return tl.dot(x, self.Wk, "embed")

    @tl.typechecked
    def values(self, x: Float[NamedArray, "... embed:d"]) -> Float[NamedArray, "... value:v"]:
        return tl.rename(tl.dot(x, self.Wk, "embed"), {"key": "value"})


def program(
    x: Float[NamedArray, "batch:b seq:n embed:64"],
    Wk: Float[NamedArray, "embed:64 key:16"],
    Wv: Float[NamedArray, "embed:64 value:32"],
):
    head = Head(Wk, Wv)
    K = head.keys(x)
    return K, head.values(x)  # E: return value, axis `value`: expected size 32 (v, bound by field
