# typecheck: ill-typed
"""Port of https://github.com/deepset-ai/FARM/issues/100: a 4-class text
classification head computes `CrossEntropyLoss(logits, label_ids.view(-1))` while
the labels arrive one-hot, `(8, 4)`: the view makes 32 labels for 8 rows of
logits (`Expected input batch_size (8) to match target batch_size (32)`)."""

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


def program(
    logits: Float[NamedArray, "batch:8 class:4"],
    label_ids: Int[NamedArray, "batch:8 label:4"],
):
    labels = tl.flatten(label_ids, "batch label", "batch")
    return tl.cross_entropy(logits, labels, axis="class")  # E: batch
