"""`verify(model)` for the seed's LeNet: its forward pass X^0..O and its whole
training step, for a symbolic batch, and X^1..X^5 for symbolic height and width."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import equinox as eqx
import jax
import jax.numpy as jnp

from .._core import errors
from .._core.errors import AxisError
from .._core.named import NamedArray
from .._core.step import make_step
from .._core.verify import Report, abstract, register_verifier, symbols
from ._model import LeNet
from ._summary import PARAMETERS, READING_ORDER, TENSORS

if TYPE_CHECKING:
    import optax

__all__ = ["verify_lenet"]


@register_verifier(LeNet)
def verify_lenet(
    model: LeNet,
    *,
    batch: str | int = "b",
    optimizer: optax.GradientTransformation | None = None,
    X0: NamedArray | None = None,
) -> Report:
    """LeNet's verifier (what `tl.verify(model)` runs): its forward pass and its
    whole training step, abstractly, for a symbolic batch `b`.

    Args:
        model: the LeNet to verify.
        batch: the batch size: a symbol's name (`"b"`: every batch size) or a number.
        optimizer: the optimizer of the training step verified (Adam when None).
        X0: an input to verify instead of one read off the model's sizes.

    Returns:
        The `Report` of every tensor's named sizes, the parameters and notes.

    Raises:
        AxisError: a size does not fit, labelled with the model line.

    Examples:
        >>> report = tl.verify(tl.LeNet(key=jax.random.PRNGKey(0)))
        >>> isinstance(report, tl.Report)
        True
    """
    cfg = model.config
    c1 = cfg.channels[0]
    if X0 is None:
        X0 = abstract(f"batch:{batch} channels:{c1} height:{cfg.height} width:{cfg.width}")
    labels = NamedArray(jax.ShapeDtypeStruct((X0.sizes.get("batch", 1),), jnp.int32), "batch")
    tensors = jax.eval_shape(lambda m, X: m.forward(X), model, X0)
    if optimizer is None:
        import optax  # only when no optimizer is given

        optimizer = optax.adam(1e-3)
    step = make_step(optimizer)

    def train_step(model: LeNet, X0: NamedArray, labels: NamedArray) -> Any:
        return step(model, optimizer.init(eqx.filter(model, eqx.is_array)), X0, labels)

    new_model, _, loss = jax.eval_shape(train_step, model, X0, labels)
    for field in ("W1", "W2", "U", "b1", "V", "b2"):
        before, after = getattr(model, field), getattr(new_model, field)
        if before.names != after.names or tuple(before.shape) != tuple(after.shape):
            raise errors.structure_changed(
                "verify",
                f"the update of `{field}`",
                before,
                after,
                argument=field,
                must="the field's names and sizes",
            )
    report = Report(
        "LeNet: forward pass and training step (cross-entropy, gradient, optax update) "
        "verified abstractly (jax.eval_shape; no FLOPs)"
    )
    report.order = READING_ORDER
    report.tensors = [(label, eq, tensors[key]) for label, key, eq, _ in TENSORS]
    report.tensors.append(("loss", "-mean_batch sum_class onehot(labels) ⊙ log O", loss))
    report.parameters = [
        (label, getattr(model, field))
        for label, field, _ in PARAMETERS
        if getattr(model, field) is not None
    ]
    if isinstance(batch, str):
        report.notes.append(f"batch is the symbol {batch}: the result holds for every batch size.")
    report.notes.append(_spatial_note(model))
    return report


def _spatial_note(model: LeNet) -> str:
    """Verify X^1..X^5 for symbolic height and width, as far as JAX can go."""
    cfg = model.config
    (kh1, kw1), (kh2, kw2) = cfg.kernel1, cfg.kernel2
    (ph1, pw1), (ph2, pw2) = cfg.pool1, cfg.pool2
    dims = symbols("b m n", constraints=("m >= 1", "n >= 1"))
    # The sizes for which every pool divides: X^4 has height m and width n.
    h = ph1 * (ph2 * dims["m"] + kh2 - 1) + kh1 - 1
    w = pw1 * (pw2 * dims["n"] + kw2 - 1) + kw1 - 1
    X0 = abstract(
        f"batch:b channels:{cfg.channels[0]} height:H width:W", sizes={**dims, "H": h, "W": w}
    )
    try:
        X = jax.eval_shape(lambda m, X: m.features(X), model, X0)
    except (AxisError, jax.errors.InconclusiveDimensionOperation) as error:
        first = str(error).splitlines()[0]
        return f"height and width stay concrete: JAX cannot verify them symbolically ({first})."
    return (
        f"height and width, symbolically: X^1..X^5 verified for every height = {h} and "
        f"width = {w} (m, n >= 1): X^1 height:{X['X1'].sizes['height']}, "
        f"X^2 height:{X['X2'].sizes['height']}, X^3 height:{X['X3'].sizes['height']}, "
        f"X^4 height:{X['X4'].sizes['height']} width:{X['X4'].sizes['width']}, "
        f"X^5 inp:{X['X5'].sizes['inp']}. Beyond X^5 the sizes are concrete: the MLP's "
        f"U fixes inp = {cfg.inp}, so the model needs {X['X5'].sizes['inp']} = "
        f"{cfg.inp} (its configuration, height {cfg.height} and width {cfg.width}, is one "
        "solution)."
    )
