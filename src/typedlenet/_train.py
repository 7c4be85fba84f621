"""The training step for any equinox model: a loss, its gradient, an optax update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import optax

from . import _ops as ops
from ._annotations import Float, Integer
from ._checking import typechecked
from ._named import NamedArray

__all__ = ["cross_entropy", "make_step"]


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


def make_step(
    optimizer: optax.GradientTransformation,
    loss: Callable[..., Any] | None = None,
) -> Callable[..., tuple[Any, Any, jax.Array]]:
    """`step(model, opt_state, *batch) -> (model, opt_state, loss)`: one update.

    `loss(model, *batch)` returns a scalar (a JAX scalar or a 0-axis NamedArray);
    the default is `cross_entropy(model, X, labels)`. The gradient is taken with
    respect to the model's floating arrays (`eqx.filter_value_and_grad`). Not
    jitted here: wrap it in `jax.jit` to train when every leaf of the model and
    the optimizer state is an array (LeNet, the Transformer example), else in
    `eqx.filter_jit`, which splits the pytree on every call; or hand it to
    `verify` to check it abstractly first.
    """
    objective = loss or cross_entropy

    def scalar(model: Any, *batch: Any) -> Any:
        value = objective(model, *batch)
        return value.data if isinstance(value, NamedArray) else value

    def step(model: Any, opt_state: Any, *batch: Any) -> tuple[Any, Any, jax.Array]:
        value, grads = eqx.filter_value_and_grad(scalar)(model, *batch)
        params = eqx.filter(model, eqx.is_array)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return eqx.apply_updates(model, updates), opt_state, value

    return step
