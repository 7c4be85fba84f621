# typecheck: well-typed
"""Fix of https://github.com/deepset-ai/FARM/issues/100: the one-hot labels are
turned into class indices (their `argmax`), one per row of logits, for the
cross-entropy."""

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


def program(
    logits: Float[NamedArray, "batch:8 class:4"],
    label_ids: Int[NamedArray, "batch:8 label:4"],
):
    labels = tl.argmax(label_ids, "label")
    return tl.cross_entropy(logits, labels, axis="class")
