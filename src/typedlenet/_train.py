"""The training step: the loss, its gradient, and an optax update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import optax

from . import _ops as ops
from ._annotations import Float, Int
from ._checking import typechecked
from ._lenet import LeNet
from ._named import NamedArray

__all__ = ["cross_entropy", "make_step"]


@typechecked
def cross_entropy(
    model: LeNet,
    X0: Float[NamedArray, "batch channels height width"],
    labels: Int[NamedArray, " batch"],
) -> Float[jax.Array, ""]:
    """`-mean_batch sum_class onehot(labels) ⊙ log O`: the mean negative log-likelihood."""
    log_O = model.log_probs(X0)
    target = ops.one_hot(labels, "class", model.config.classes)
    return -ops.mean(ops.sum(target * log_O, "class")).data


def make_step(
    optimizer: optax.GradientTransformation,
) -> Callable[[LeNet, Any, NamedArray, NamedArray], tuple[LeNet, Any, jax.Array]]:
    """`step(model, opt_state, X0, labels) -> (model, opt_state, loss)`: one update.

    Not jitted here: wrap it in `eqx.filter_jit` (or `jax.jit`) to train, or hand
    it to `verify` to check it abstractly first.
    """

    def step(
        model: LeNet, opt_state: Any, X0: NamedArray, labels: NamedArray
    ) -> tuple[LeNet, Any, jax.Array]:
        loss, grads = eqx.filter_value_and_grad(cross_entropy)(model, X0, labels)
        params = eqx.filter(model, eqx.is_array)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return eqx.apply_updates(model, updates), opt_state, loss

    return step
