"""The training step for any equinox model: a loss, its gradient, an optax update."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import equinox as eqx
import jax

from .losses import cross_entropy
from .named import NamedArray

if TYPE_CHECKING:  # optax is imported by the optimizer's maker, not by this library
    import optax

__all__ = ["make_step"]


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
