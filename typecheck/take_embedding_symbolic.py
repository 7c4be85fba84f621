# typecheck: well-typed
"""An embedding lookup for a symbolic batch and sequence: `take(E, "vocab", tokens)`
has the tokens' axes in place of `vocab`, and `E[{"vocab": tokens}]` is the same."""

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


@tl.typechecked
def embed(
    E: Float[NamedArray, "vocab:v embed:d"],
    tokens: Int[NamedArray, "batch:b seq:n"],
) -> Float[NamedArray, "batch:b seq:n embed:d"]:
    return tl.take(E, "vocab", tokens)


def program(
    E: Float[NamedArray, "vocab:1000 embed:64"],
    tokens: Int[NamedArray, "batch:b seq:n"],
):
    X = embed(E, tokens)
    Y = E[{"vocab": tokens}]
    assert set(Y.names) == {"batch", "seq", "embed"}
    return X - Y
