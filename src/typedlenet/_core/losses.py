"""Losses by name: the cross-entropy of integer labels under named logits."""

from __future__ import annotations

from typing import Any

from . import ops
from .annotations import Float, Integer
from .checking import typechecked
from .named import NamedArray

__all__ = ["cross_entropy"]


@typechecked
def _cross_entropy(
    logits: Float[NamedArray, "..."], labels: Integer[NamedArray, "..."], axis: str
) -> Float[NamedArray, ""]:
    log_p = ops.log_softmax(logits, axis)
    target = ops.one_hot(labels, axis, logits.size_of(axis), dtype=log_p.dtype)
    return -ops.mean(ops.sum(target * log_p, axis))


def cross_entropy(*args: Any, axis: str = "class") -> Any:
    """`-mean sum_axis onehot(labels) ⊙ log softmax_axis(logits)`: the mean negative
    log-likelihood of integer `labels` under `logits` over the named `axis`.

    - `cross_entropy(logits, labels, axis="class")`: a 0-axis NamedArray; the mean
      runs over every axis of `labels` (`batch`, `seq`, ...).
    - `cross_entropy(model, X, labels)`: the same for `model`'s logits on `X`
      (`model.logits(X)` where the model has it, else `model(X)`), as a plain JAX
      scalar, ready for `eqx.filter_value_and_grad` (LeNet's training loss).

    Example:
        >>> logits = tl.named(jnp.zeros((2, 10)), "batch class")
        >>> float(tl.cross_entropy(logits, tl.named(jnp.array([3, 7]), "batch")))
        2.302585...
    """
    if args and isinstance(args[0], NamedArray):
        logits, labels = args
        return _cross_entropy(logits, labels, axis)
    model, X, labels = args
    logits = model.logits(X) if hasattr(model, "logits") else model(X)
    return _cross_entropy(logits, labels, axis).data
