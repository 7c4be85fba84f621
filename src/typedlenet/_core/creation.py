"""Arrays made over named axes: `zeros`, `ones`, `full`, their `_like` forms,
and `broadcast_to`, which adds named axes to an array.

Sizes are given by name, as a mapping (`{"batch": x.sizes["batch"], "hidden":
64}`, a size an `int` or a symbolic size, so that the same code runs under
`tl.verify` with a symbolic batch) or as a string of integer sizes
(`"batch:8 hidden:64"`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp

from . import errors
from .annotations import Shaped
from .call_checks import typechecked
from .named import NamedArray
from .sizes import as_names, check_unique, clash, equal
from .sizes import size as _size

__all__ = [
    "AxisSizes",
    "axis_sizes",
    "broadcast_to",
    "full",
    "full_like",
    "ones",
    "ones_like",
    "zeros",
    "zeros_like",
]

AxisSizes = Mapping[str, Any] | str
"""Named sizes: a mapping from axis name to size, or `"name:size ..."` with integer sizes."""


def axis_sizes(sizes: Any, op: str) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The names and sizes of `sizes` (see `AxisSizes`), each checked: a legal,
    unrepeated name and a size of at least 0."""
    if isinstance(sizes, str):
        pairs = []
        for item in sizes.split():
            name, colon, text = item.partition(":")
            if not colon or not text.isdigit():
                raise errors.bad_argument(
                    op,
                    "sizes",
                    item,
                    must="write each axis as `name:size` with an integer size, or be a "
                    'mapping for a symbolic size (`{"batch": x.sizes["batch"]}`)',
                    axis=name,
                    expected="name:size",
                )
            pairs.append((name, int(text)))
    elif isinstance(sizes, Mapping):
        pairs = list(sizes.items())
    else:
        raise TypeError(
            f"{op}: `sizes` must be a mapping from axis name to size or a string "
            f'"name:size ...", got {sizes!r} ({type(sizes).__name__})'
        )
    names = as_names([name for name, _ in pairs], argument="sizes", op=op)
    check_unique(names, op)
    values = tuple(
        _size(value, op=op, argument=f"sizes[{name!r}]", minimum=0) for name, value in pairs
    )
    return names, values


@typechecked
def zeros(sizes: AxisSizes, dtype: Any = jnp.float32) -> Shaped[NamedArray, "..."]:
    """The array of `0`s over the named axes of `sizes`.

    Examples:
        >>> tl.zeros("batch:2 hidden:3")
        f32[batch:2, hidden:3]
        >>> x = tl.named(jnp.ones((4, 5)), "batch seq")
        >>> tl.zeros({"batch": x.sizes["batch"], "hidden": 8}, jnp.int32)
        i32[batch:4, hidden:8]
    """
    names, shape = axis_sizes(sizes, "zeros")
    return NamedArray(jnp.zeros(shape, dtype), names)


@typechecked
def ones(sizes: AxisSizes, dtype: Any = jnp.float32) -> Shaped[NamedArray, "..."]:
    """The array of `1`s over the named axes of `sizes`.

    Examples:
        >>> tl.ones({"seq": 2}).data
        Array([1., 1.], dtype=float32)
    """
    names, shape = axis_sizes(sizes, "ones")
    return NamedArray(jnp.ones(shape, dtype), names)


@typechecked
def full(sizes: AxisSizes, value: Any, dtype: Any = None) -> Shaped[NamedArray, "..."]:
    """The array holding `value` (a scalar) at every position of the axes of `sizes`;
    the element type is `value`'s unless `dtype` is given.

    Examples:
        >>> tl.full("seq:3", -1.5).data
        Array([-1.5, -1.5, -1.5], dtype=float32)
    """
    names, shape = axis_sizes(sizes, "full")
    _scalar(value, "full")
    dtype = jnp.asarray(value).dtype if dtype is None else dtype  # not a weak type
    return NamedArray(jnp.full(shape, value, dtype), names)


def _scalar(value: Any, op: str) -> None:
    if isinstance(value, NamedArray) or jnp.ndim(value) != 0:
        raise TypeError(
            f"{op}: `value` must be a scalar, got {value!r}; to spread an array over "
            "new axes use `tl.broadcast_to`"
        )


@typechecked
def zeros_like(x: Shaped[NamedArray, "..."], dtype: Any = None) -> Shaped[NamedArray, "..."]:
    """`0` at every position of `x`'s axes, in `x`'s element type unless `dtype` is given.

    Examples:
        >>> tl.zeros_like(tl.named(jnp.ones((2, 3)), "batch seq"))
        f32[batch:2, seq:3]
    """
    return NamedArray(jnp.zeros(x.shape, x.dtype if dtype is None else dtype), x.names)


@typechecked
def ones_like(x: Shaped[NamedArray, "..."], dtype: Any = None) -> Shaped[NamedArray, "..."]:
    """`1` at every position of `x`'s axes, in `x`'s element type unless `dtype` is given.

    Examples:
        >>> tl.ones_like(tl.named(jnp.zeros(2, jnp.int32), "seq")).data
        Array([1, 1], dtype=int32)
    """
    return NamedArray(jnp.ones(x.shape, x.dtype if dtype is None else dtype), x.names)


@typechecked
def full_like(
    x: Shaped[NamedArray, "..."], value: Any, dtype: Any = None
) -> Shaped[NamedArray, "..."]:
    """`value` (a scalar) at every position of `x`'s axes, in `x`'s element type
    unless `dtype` is given.

    Examples:
        >>> tl.full_like(tl.named(jnp.zeros(2), "seq"), 7).data
        Array([7., 7.], dtype=float32)
    """
    _scalar(value, "full_like")
    return NamedArray(jnp.full(x.shape, value, x.dtype if dtype is None else dtype), x.names)


@typechecked
def broadcast_to(x: Shaped[NamedArray, "..."], sizes: AxisSizes) -> Shaped[NamedArray, "..."]:
    """`x` spread over the axes of `sizes` it lacks: `broadcast_to(x, s)[a=i, b=j] =
    x[a=i]` for a new axis `b`.

    An axis of `sizes` that `x` already has must have its size there; the new
    axes follow `x`'s in storage.

    Examples:
        >>> bias = tl.named(jnp.array([1.0, 2.0]), "hidden")
        >>> tl.broadcast_to(bias, {"batch": 3, "hidden": 2})
        f32[hidden:2, batch:3]
    """
    names, values = axis_sizes(sizes, "broadcast_to")
    new_names, new_sizes = [], []
    for name, n in zip(names, values):
        if name in x.names:
            have = x.size_of(name)
            if not equal(have, n, op="broadcast_to", argument="sizes", axis=name):
                raise clash("broadcast_to", name, have, "`x`", n, "`sizes`", argument="sizes")
        else:
            new_names.append(name)
            new_sizes.append(n)
    if not new_names:
        return x
    data = jnp.reshape(x.data, (*x.shape, *(1 for _ in new_names)))
    return NamedArray(jnp.broadcast_to(data, (*x.shape, *new_sizes)), (*x.names, *new_names))
