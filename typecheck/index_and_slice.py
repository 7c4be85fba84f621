# typecheck: well-typed
"""Indexing by name drops an axis; slicing by name keeps it, shorter."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def crop(
    X: Float[NamedArray, "... height:h width:w"],
) -> Float[NamedArray, "... height:h-2 width:w"]:
    return X[{"height": slice(1, -1)}]


def program(X: Float[NamedArray, "batch:b channels:3 height:10 width:10"]):
    first = X[{"channels": 0}]
    assert "channels" not in first.names
    return crop(first)
