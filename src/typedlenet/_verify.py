"""Static shape verification: run a model, or any named-tensor function, abstractly.

`verify` evaluates with `jax.eval_shape`: no FLOPs are spent and no buffer of
the data's size is allocated, yet every named-axis check runs, so a mismatch
fails here, before compute, with the same error it would raise at run time.
Sizes may be symbols (`jax.export.symbolic_shape`): a model verified for the
batch size `b` holds for every batch size.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from jax import export

from ._annotations import _NamedMeta, _parse_spec
from ._errors import AxisError
from ._lenet import LeNet
from ._named import NamedArray
from ._summary import PARAMETERS, TENSORS, table
from ._train import make_step

__all__ = ["Report", "abstract", "abstract_arguments", "symbols", "verify"]

_DTYPES = {"Float": jnp.float32, "Shaped": jnp.float32, "Num": jnp.float32, "Int": jnp.int32}
_DTYPES |= {"Integer": jnp.int32, "UInt": jnp.uint32}


def symbols(names: str | Sequence[str], *, constraints: Sequence[str] = ()) -> dict[str, Any]:
    """Symbolic sizes, one per name, in one scope (so they combine): `{"b": b, ...}`.

    `constraints` are JAX's, e.g. `("h >= 5",)`.
    """
    names = names.split() if isinstance(names, str) else list(names)
    if not names:
        return {}
    dims = export.symbolic_shape(", ".join(names), constraints=tuple(constraints))
    return dict(zip(names, dims))


def abstract(
    spec: str, dtype: Any = jnp.float32, *, sizes: Mapping[str, Any] | None = None
) -> NamedArray:
    """An abstract NamedArray (a shape and a dtype, no data) for `"name:size ..."`.

    Each size is an integer or a symbol: a name looked up in `sizes` (say, from
    `symbols`), or a fresh symbolic size of that name.
    """
    parsed = _parse_spec(spec)
    if parsed.ellipsis:
        raise ValueError(f'abstract: "{spec}" has `...`; name every axis of an input')
    sizes = dict(sizes or {})
    fresh = [d for d in parsed.symbols if not d.isdigit() and d not in sizes]
    sizes.update(symbols(fresh))
    shape = [int(d) if d.isdigit() else sizes[d] for d in parsed.symbols]
    return NamedArray(jax.ShapeDtypeStruct(tuple(shape), dtype), parsed.names)


def abstract_arguments(
    fn: Callable[..., Any], *, constraints: Sequence[str] = ()
) -> dict[str, NamedArray]:
    """Abstract inputs for `fn` read off its named annotations, symbols shared.

    `Float[NamedArray, "batch:b height:28"]` gives an input whose `batch` is the
    symbol `b` and whose `height` is 28.
    """
    hints = inspect.get_annotations(fn, eval_str=True)
    specs = {
        name: hint
        for name, hint in hints.items()
        if name != "return" and isinstance(hint, _NamedMeta)
    }
    names = {
        d
        for hint in specs.values()
        for d in hint._spec.symbols
        if not d.isdigit() and d.isidentifier()
    }
    sizes = symbols(sorted(names), constraints=constraints)
    return {
        name: abstract(hint._spec.text, _DTYPES.get(hint._kind, jnp.bool_), sizes=sizes)
        for name, hint in specs.items()
    }


@dataclasses.dataclass
class Report:
    """What an abstract run found: each tensor's named sizes, the parameters, notes."""

    title: str
    tensors: list[tuple[str, str, Any]] = dataclasses.field(default_factory=list)
    parameters: list[tuple[str, NamedArray]] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        rows = [("tensor", "equation", "named sizes")]
        rows += [(label, eq, _describe(value)) for label, eq, value in self.tensors]
        lines = [self.title, "", *table(rows)]
        if self.parameters:
            prows = [("parameter", "named shape", "count")]
            total = 0
            for label, p in self.parameters:
                count = math.prod(p.shape)
                total += count
                prows.append((label, _describe(p), f"{count:,}"))
            prows.append(("total", "", f"{total:,}"))
            lines += ["", *table(prows)]
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines)


# The order the report lists axes in (storage order means nothing, so the
# report picks the seed's reading order).
_READING_ORDER = ["batch", "channels'", "channels", "height", "width", "kh", "kw", "inp"]
_READING_ORDER += ["hidden", "out", "class"]


def _reading_order(name: str) -> tuple[int, str]:
    return (_READING_ORDER.index(name) if name in _READING_ORDER else len(_READING_ORDER), name)


def _describe(value: Any) -> str:
    if isinstance(value, NamedArray):
        dtype = str(value.dtype)
        sizes = value.sizes
        axes = ", ".join(f"{n}:{sizes[n]}" for n in sorted(sizes, key=_reading_order))
        return f"{axes} ({dtype})" if axes else f"scalar ({dtype})"
    if hasattr(value, "shape"):
        return (
            f"positional {tuple(value.shape)} ({value.dtype})"
            if value.shape
            else (f"scalar ({value.dtype})")
        )
    return repr(value)


def verify(target: Any, *args: Any, **kwargs: Any) -> Report:
    """Verify `target` abstractly and report the named sizes of what it computes.

    - `verify(model)` for a `LeNet`: its forward pass (X^0..X^5, O) and its whole
      training step (loss, gradient, optax update), for a symbolic batch size.
      Keywords: `batch` (a symbol name or an int; default `"b"`), `optimizer`
      (default Adam), `X0` (an abstract input to use instead).
    - `verify(fn, *args)` for any function: its outputs for `args` (concrete or
      abstract); with no `args`, inputs are read off `fn`'s named annotations.

    A mismatch raises the error the run would raise (an `AxisError`), labelled
    with the model line where it happened.
    """
    if isinstance(target, LeNet):
        return _verify_lenet(target, **kwargs)
    constraints = kwargs.pop("constraints", ())
    if not args and not kwargs:
        kwargs = abstract_arguments(target, constraints=constraints)
    out = eqx.filter_eval_shape(target, *args, **kwargs)
    name = getattr(target, "__qualname__", repr(target))
    leaves = jax.tree_util.tree_leaves(out, is_leaf=lambda x: isinstance(x, NamedArray))
    report = Report(f"{name}: verified abstractly (jax.eval_shape; no FLOPs)")
    report.tensors += [("input", name_, value) for name_, value in kwargs.items()]
    report.tensors += [
        (f"output {i}" if len(leaves) > 1 else "output", "", leaf) for i, leaf in enumerate(leaves)
    ]
    return report


def _verify_lenet(
    model: LeNet,
    *,
    batch: str | int = "b",
    optimizer: optax.GradientTransformation | None = None,
    X0: NamedArray | None = None,
) -> Report:
    cfg = model.config
    c1 = cfg.channels[0]
    if X0 is None:
        X0 = abstract(f"batch:{batch} channels:{c1} height:{cfg.height} width:{cfg.width}")
    labels = NamedArray(jax.ShapeDtypeStruct((X0.sizes.get("batch", 1),), jnp.int32), "batch")
    tensors = jax.eval_shape(lambda m, X: m.forward(X), model, X0)
    optimizer = optimizer or optax.adam(1e-3)
    step = make_step(optimizer)

    def train_step(model: LeNet, X0: NamedArray, labels: NamedArray) -> Any:
        return step(model, optimizer.init(eqx.filter(model, eqx.is_array)), X0, labels)

    new_model, _, loss = jax.eval_shape(train_step, model, X0, labels)
    for field in ("W1", "W2", "U", "b1", "V", "b2"):
        before, after = getattr(model, field), getattr(new_model, field)
        if before.names != after.names or tuple(before.shape) != tuple(after.shape):
            raise AxisError(f"verify: the update changed `{field}` from {before!r} to {after!r}")
    report = Report(
        "LeNet: forward pass and training step (cross-entropy, gradient, optax update) "
        "verified abstractly (jax.eval_shape; no FLOPs)"
    )
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
