"""Losses by name: the cross-entropy of integer labels under named logits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import errors, ops
from .annotations import Float, Integer
from .call_checks import typechecked
from .named import NamedArray

__all__ = ["cross_entropy"]


def _same_positions(
    logits: NamedArray, labels: NamedArray, axis: str, unlabelled: tuple[str, ...]
) -> None:
    """A loss scores each position of the labels once: the logits must have the
    labels' axes and `axis`, and any other axis only when the caller names it in
    `unlabelled` (an axis the loss averages over, every position under one label).
    Broadcasting would otherwise average over a stray axis without a word."""
    if axis not in logits.names:
        raise errors.missing_axis(
            "cross_entropy", axis, argument="logits", present=logits.names, detail="the class axis"
        )
    if axis in labels.names:
        raise errors.unexpected_axis(
            "cross_entropy",
            [axis],
            argument="labels",
            detail="the class axis: labels are integer classes, one per position",
        )
    for name in labels.names:
        if name not in logits.names:
            error = errors.missing_axis(
                "cross_entropy",
                name,
                argument="logits",
                present=logits.names,
                detail="the labels have it: the loss would score every label against the "
                "same logits",
            )
            error.involved = ((name, labels.size_of(name)),)
            raise error
    for name in logits.names:
        if name != axis and name not in labels.names and name not in unlabelled:
            error = errors.unexpected_axis(
                "cross_entropy",
                [name],
                argument="logits",
                detail=f"which the labels do not have: the loss would average over it; drop "
                f"it first, or name it in `unlabelled=({name!r},)` if each of its positions "
                "shares the label",
            )
            error.involved = ((name, logits.size_of(name)),)
            raise error


def _weights_fit(weights: NamedArray, allowed: tuple[str, ...], argument: str) -> None:
    """Weights (or a mask) are per labelled position: no axis the labels lack."""
    for name in weights.names:
        if name not in allowed:
            raise errors.unexpected_axis(
                "cross_entropy",
                [name],
                argument=argument,
                detail="which the labels do not have (they have "
                f"{', '.join(f'`{n}`' for n in allowed) or 'no axes'})",
            )


@typechecked
def _cross_entropy(
    logits: Float[NamedArray, "..."],
    labels: Integer[NamedArray, "..."],
    axis: str,
    unlabelled: tuple[str, ...] = (),
    where: NamedArray | None = None,
    weights: NamedArray | None = None,
) -> Float[NamedArray, ""]:
    _same_positions(logits, labels, axis, unlabelled)
    log_p = ops.log_softmax(logits, axis)
    target = ops.one_hot(labels, axis, logits.size_of(axis), dtype=log_p.dtype)
    nll = -ops.sum(target * log_p, axis)  # one value per labelled position
    if where is None and weights is None:
        return ops.mean(nll)
    allowed = tuple(n for n in logits.names if n != axis)
    w = ops.where(nll == nll, 1.0, 0.0).astype(nll.dtype)  # ones over nll's axes
    if weights is not None:
        _weights_fit(weights, allowed, "weights")
        w = w * weights.astype(nll.dtype)
    if where is not None:
        _weights_fit(where, allowed, "where")
        w = ops.where(where, w, 0.0)
    total = ops.sum(w)
    # No position counted: the loss is 0 (and its gradient too), not 0/0.
    safe = ops.where(total > 0, total, 1.0)
    return ops.sum(w * nll) / safe


def cross_entropy(
    *args: Any,
    axis: str = "class",
    unlabelled: str | Sequence[str] = (),
    where: NamedArray | None = None,
    weights: NamedArray | None = None,
) -> Any:
    """`-mean sum_axis onehot(labels) ⊙ log softmax_axis(logits)`: the mean negative
    log-likelihood of integer `labels` under `logits` over the named `axis`.

    - `cross_entropy(logits, labels, axis="class")`: a 0-axis NamedArray; the mean
      runs over every axis of `labels` (`batch`, `seq`, ...).
    - `cross_entropy(model, X, labels)`: the same for `model`'s logits on `X`
      (`model.logits(X)` where the model has it, else `model(X)`), as a plain JAX
      scalar, ready for `eqx.filter_value_and_grad` (LeNet's training loss).

    The logits must have exactly the labels' axes and `axis`: an axis on one side
    only is an `AxisError` naming it, since broadcasting would average the loss over
    it without a word (a `channels:1` a flatten forgot, say). An axis of the logits
    that truly shares the label at each of its positions (several samples of one
    example) is named in `unlabelled`, and the mean runs over it too.

    `where` (booleans) and `weights` (numbers), over some of the labels' axes,
    make it a weighted mean: `sum_pos w ⊙ nll / sum_pos w`, `w = weights ⊙ where`,
    so padding in a batch of sequences counts for nothing. With no position
    counted the loss is 0. An axis the labels do not have is an `AxisError`.

    Example:
        >>> logits = tl.named(jnp.zeros((2, 10)), "batch class")
        >>> float(tl.cross_entropy(logits, tl.named(jnp.array([3, 7]), "batch")))
        2.302585...
    """
    shared = tuple(unlabelled.split()) if isinstance(unlabelled, str) else tuple(unlabelled)
    if args and isinstance(args[0], NamedArray):
        logits, labels = args
        return _cross_entropy(logits, labels, axis, shared, where, weights)
    model, X, labels = args
    logits = model.logits(X) if hasattr(model, "logits") else model(X)
    return _cross_entropy(logits, labels, axis, shared, where, weights).data
