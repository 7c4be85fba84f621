# typecheck: ill-typed
"""Renaming both `kh` and `kw` to `k` makes two axes of one name."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(W: Float[NamedArray, "channels':6 channels:1 kh:5 kw:5"]):
    return tl.rename(W, {"kh": "k", "kw": "k"})  # E: collides with the renamed axis
