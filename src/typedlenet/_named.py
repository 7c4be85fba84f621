"""`NamedArray`: a JAX array whose axes have names, and arithmetic by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ._annotations import Shaped
from ._checking import typechecked
from ._errors import AxisError

__all__ = ["NamedArray", "Names", "as_names", "named"]

Names = str | Sequence[str]
"""Axis names: a space-separated string (`"batch height"`) or a sequence of strings."""

_SHORT_DTYPES = {
    "float64": "f64",
    "float32": "f32",
    "float16": "f16",
    "bfloat16": "bf16",
    "int64": "i64",
    "int32": "i32",
    "int16": "i16",
    "int8": "i8",
    "uint64": "u64",
    "uint32": "u32",
    "uint16": "u16",
    "uint8": "u8",
    "complex64": "c64",
    "complex128": "c128",
}


def as_names(names: Names, *, argument: str = "names") -> tuple[str, ...]:
    """Normalise `names` to a tuple of strings; a string is split on whitespace."""
    if isinstance(names, str):
        return tuple(names.split())
    try:
        out = tuple(names)
    except TypeError:
        raise TypeError(
            f"`{argument}` must be a string or a sequence of strings, got {names!r}"
        ) from None
    for name in out:
        if not isinstance(name, str):
            raise TypeError(
                f"`{argument}` must hold strings only, got {name!r} "
                f"({type(name).__name__}) in {out!r}"
            )
    return out


def _check_unique(names: tuple[str, ...], op: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise AxisError(f"{op}: axis `{name}` appears twice in {names!r}", op=op, axis=name)
        seen.add(name)


class NamedArray(eqx.Module):
    """A JAX array with one name per axis; the order of the axes carries no meaning.

    A pytree: `data` is the leaf, `names` is static. Build one with `named`.
    """

    data: jax.Array
    names: tuple[str, ...] = eqx.field(static=True)

    __named_axes__: ClassVar[bool] = True

    def __init__(self, data: Any, names: Names) -> None:
        names = as_names(names)
        if not hasattr(data, "shape") or not hasattr(data, "dtype"):
            data = jnp.asarray(data)
        if len(names) != len(data.shape):
            raise AxisError(
                f"named: `names` {names!r} has {len(names)} names but the array has "
                f"{len(data.shape)} axes (shape {tuple(data.shape)})",
                op="named",
                argument="names",
                expected=len(data.shape),
                actual=len(names),
            )
        _check_unique(names, "named")
        self.data = data
        self.names = names

    # --- what a NamedArray is ---------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The sizes of the axes in storage order (positional; prefer `sizes`)."""
        return tuple(self.data.shape)

    @property
    def dtype(self) -> Any:
        """The element type."""
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return len(self.names)

    @property
    def sizes(self) -> dict[str, int]:
        """A mapping from each axis name to its size."""
        return dict(zip(self.names, self.data.shape))

    def size_of(self, axis: str) -> int:
        """The size of axis `axis`; an `AxisError` names it when absent."""
        return self.data.shape[self.position(axis)]

    def position(self, axis: str, *, op: str = "position", argument: str = "x") -> int:
        """Where `axis` is stored; an `AxisError` names it when absent."""
        try:
            return self.names.index(axis)
        except ValueError:
            raise AxisError(
                f"{op}: `{argument}` has no axis `{axis}` (it has "
                f"{', '.join(f'`{n}`' for n in self.names) or 'no axes'})",
                op=op,
                argument=argument,
                axis=axis,
            ) from None

    def align(self, names: Names) -> NamedArray:
        """The same tensor with its axes stored in the order `names` gives."""
        order = as_names(names)
        if sorted(order) != sorted(self.names) or len(set(order)) != len(order):
            raise AxisError(
                f"align: `names` {order!r} is not an ordering of the axes {self.names!r}",
                op="align",
                argument="names",
                expected=self.names,
                actual=order,
            )
        if order == self.names:
            return self
        perm = tuple(self.names.index(n) for n in order)
        return NamedArray(jnp.transpose(self.data, perm), order)

    def __repr__(self) -> str:
        dtype = np.dtype(self.dtype).name if hasattr(self, "data") else "?"
        axes = ", ".join(f"{n}:{s}" for n, s in zip(self.names, self.data.shape))
        return f"{_SHORT_DTYPES.get(dtype, dtype)}[{axes}]"

    __str__ = __repr__

    # --- indexing by name ---------------------------------------------------

    def __getitem__(self, index: Mapping[str, Any]) -> NamedArray:
        """`x[{"height": 3}]` takes one position (the axis goes);
        `x[{"height": slice(2, 10)}]` takes a slice (the axis stays, shorter)."""
        if not isinstance(index, Mapping):
            raise TypeError(
                "index a NamedArray by name, e.g. x[{'height': 3}] or "
                f"x[{{'width': slice(0, 4)}}]; got {index!r}"
            )
        data, names = self.data, list(self.names)
        for axis, where in index.items():
            pos = names.index(axis) if axis in names else self.position(axis, op="index")
            size = data.shape[pos]
            if isinstance(where, slice):
                start, stop, step = _slice_bounds(where, size, axis)
                data = lax.slice_in_dim(data, start, stop, step, axis=pos)
            elif isinstance(where, (int, np.integer)):
                if not -size <= int(where) < size:
                    raise AxisError(
                        f"index: position {int(where)} is out of range for axis `{axis}` (={size})",
                        op="index",
                        axis=axis,
                        expected=size,
                        actual=int(where),
                    )
                data = lax.index_in_dim(data, int(where) % size, pos, keepdims=False)
                del names[pos]
            elif jnp.ndim(where) == 0 and jnp.issubdtype(jnp.result_type(where), jnp.integer):
                data = lax.dynamic_index_in_dim(data, where, pos, keepdims=False)
                del names[pos]
            else:
                raise TypeError(f"index: axis `{axis}` takes an integer or a slice, got {where!r}")
        return NamedArray(data, tuple(names))

    # --- arithmetic by name ---------------------------------------------------

    def __add__(self, other: Any) -> NamedArray:
        return _binary(jnp.add, self, other, "+")

    def __radd__(self, other: Any) -> NamedArray:
        return _binary(jnp.add, other, self, "+")

    def __sub__(self, other: Any) -> NamedArray:
        return _binary(jnp.subtract, self, other, "-")

    def __rsub__(self, other: Any) -> NamedArray:
        return _binary(jnp.subtract, other, self, "-")

    def __mul__(self, other: Any) -> NamedArray:
        return _binary(jnp.multiply, self, other, "*")

    def __rmul__(self, other: Any) -> NamedArray:
        return _binary(jnp.multiply, other, self, "*")

    def __truediv__(self, other: Any) -> NamedArray:
        return _binary(jnp.true_divide, self, other, "/")

    def __rtruediv__(self, other: Any) -> NamedArray:
        return _binary(jnp.true_divide, other, self, "/")

    def __floordiv__(self, other: Any) -> NamedArray:
        return _binary(jnp.floor_divide, self, other, "//")

    def __rfloordiv__(self, other: Any) -> NamedArray:
        return _binary(jnp.floor_divide, other, self, "//")

    def __mod__(self, other: Any) -> NamedArray:
        return _binary(jnp.mod, self, other, "%")

    def __pow__(self, other: Any) -> NamedArray:
        return _binary(jnp.power, self, other, "**")

    def __rpow__(self, other: Any) -> NamedArray:
        return _binary(jnp.power, other, self, "**")

    def __lt__(self, other: Any) -> NamedArray:
        return _binary(jnp.less, self, other, "<")

    def __le__(self, other: Any) -> NamedArray:
        return _binary(jnp.less_equal, self, other, "<=")

    def __gt__(self, other: Any) -> NamedArray:
        return _binary(jnp.greater, self, other, ">")

    def __ge__(self, other: Any) -> NamedArray:
        return _binary(jnp.greater_equal, self, other, ">=")

    def __eq__(self, other: Any) -> NamedArray:  # type: ignore[override]
        return _binary(jnp.equal, self, other, "==")

    def __ne__(self, other: Any) -> NamedArray:  # type: ignore[override]
        return _binary(jnp.not_equal, self, other, "!=")

    def __and__(self, other: Any) -> NamedArray:
        return _binary(jnp.logical_and, self, other, "&")

    def __or__(self, other: Any) -> NamedArray:
        return _binary(jnp.logical_or, self, other, "|")

    def __invert__(self) -> NamedArray:
        return NamedArray(jnp.invert(self.data), self.names)

    def __neg__(self) -> NamedArray:
        return NamedArray(-self.data, self.names)

    def __pos__(self) -> NamedArray:
        return self

    def __abs__(self) -> NamedArray:
        return NamedArray(jnp.abs(self.data), self.names)

    __hash__ = None  # type: ignore[assignment]  # elementwise `==`, like jax.Array


def _slice_bounds(where: slice, size: Any, axis: str) -> tuple[Any, Any, int]:
    """`where.indices(size)`, also for a symbolic `size` (then with step >= 1)."""
    if isinstance(size, int):
        start, stop, step = where.indices(size)
        return start, max(start, stop), step
    step = 1 if where.step is None else where.step
    if step < 1:
        raise AxisError(
            f"index: axis `{axis}` has the symbolic size {size}: a slice of it needs a "
            f"positive step, got {step}",
            op="index",
            axis=axis,
        )

    def bound(value: int | None, default: Any) -> Any:
        return default if value is None else (size + value if value < 0 else value)

    return bound(where.start, 0), bound(where.stop, size), step


@typechecked
def named(array: Any, names: Names) -> Shaped[NamedArray, "..."]:
    """Name the axes of `array` (anything `jnp.asarray` takes), in storage order.

    `names` is a space-separated string (`"batch channels height width"`) or a
    sequence of strings; any string is a legal name (`"channels'"`), but no name
    may appear twice and there must be one name per axis.
    """
    data = array if isinstance(array, jax.Array) else jnp.asarray(array)
    return NamedArray(data, as_names(names))


# --- broadcasting by name -----------------------------------------------------

_OPERAND = ("the left operand", "the right operand")


def _is_scalar(x: Any) -> bool:
    return isinstance(x, (int, float, complex, bool, np.number, np.bool_)) or (
        hasattr(x, "shape") and not isinstance(x, NamedArray) and len(x.shape) == 0
    )


def broadcast(
    operands: Sequence[Any], op: str, labels: Sequence[str] | None = None
) -> tuple[list[Any], tuple[str, ...]]:
    """Line up `operands` by name: the union of their axes, shared axes of one size.

    Returns each operand's data stored in the result's axis order with size-1
    axes where it lacks one (scalars pass as they are), and the result's names.
    An axis shared with different sizes raises an `AxisError` naming the axis,
    the operands and both sizes.
    """
    labels = labels or (
        _OPERAND if len(operands) == 2 else [f"operand {i}" for i in range(len(operands))]
    )
    result: list[str] = []
    size: dict[str, tuple[int, str]] = {}
    for x, label in zip(operands, labels):
        if isinstance(x, NamedArray):
            for name, n in zip(x.names, x.data.shape):
                if name not in size:
                    size[name] = (n, label)
                    result.append(name)
                elif size[name][0] != n:
                    first, where = size[name]
                    raise AxisError(
                        f"{op}: axis `{name}` has size {first} in {where} and {n} in {label}",
                        op=op,
                        argument=label,
                        axis=name,
                        expected=first,
                        actual=n,
                    )
        elif not _is_scalar(x):
            raise AxisError(
                f"{op}: {label} is a positional array of shape "
                f"{getattr(x, 'shape', '?')}; name its axes with `named` first",
                op=op,
                argument=label,
            )
    names = tuple(result)
    datas = [_expand_to(x, names) if isinstance(x, NamedArray) else x for x in operands]
    return datas, names


def _expand_to(x: NamedArray, names: tuple[str, ...]) -> Any:
    """`x`'s data transposed to follow `names`, with size-1 axes for those it lacks."""
    order = [n for n in names if n in x.names]
    data = x.data
    if tuple(order) != x.names:
        data = jnp.transpose(data, [x.names.index(n) for n in order])
    if len(order) != len(names):
        sizes = dict(zip(x.names, x.data.shape))
        data = jnp.reshape(data, [sizes.get(n, 1) for n in names])
    return data


def _binary(fn: Callable[..., Any], a: Any, b: Any, op: str) -> NamedArray:
    (da, db), names = broadcast((a, b), f"`{op}`")
    return NamedArray(fn(da, db), names)
