# typecheck: ill-typed
"""Indexing the first `time` step of an image batch that has no `time` axis."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X: Float[NamedArray, "batch:b channels:3 height:8 width:8"]):
    return tl.relu(X[{"time": 0}])  # E: index: `x` has no axis `time`
