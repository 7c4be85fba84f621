# typecheck: well-typed
"""`tl.where` with a Bool mask broadcast by name; a comparison gives a Bool too."""

import typedlenet as tl
from typedlenet import Bool, Float, NamedArray


def program(
    scores: Float[NamedArray, "batch:b query:n key:n"],
    mask: Bool[NamedArray, "query:n key:n"],
):
    masked = tl.where(mask, scores, -1e9)
    positive = tl.where(scores > 0.0, scores, 0.0)
    return tl.softmax(masked, "key") + positive
