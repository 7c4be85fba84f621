"""Renaming and reshaping by name: `rename`, `flatten`, `unflatten`, `unfold`."""

from __future__ import annotations

import builtins
import math
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from . import errors
from .annotations import Shaped
from .call_checks import typechecked
from .named import NamedArray, method_of_named_array
from .ranges import keep_range
from .sizes import Names, Size, as_names, equal, fmt, holds
from .sizes import size as _size

__all__ = ["flatten", "rename", "unflatten", "unfold"]


def _axes(x: NamedArray, over: Names, op: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    names = as_names(over, argument="axes", op=op)
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise errors.duplicate_axis(op, twice, argument="axes", among=f"`axes` {names!r}")
    return names, tuple(x.position(n, op=op) for n in names)


@typechecked
def rename(x: Shaped[NamedArray, "..."], mapping: Mapping[str, str]) -> Shaped[NamedArray, "..."]:
    """`[x]_{old→new}` for each pair of `mapping`; the data is untouched.

    Examples:
        >>> x = tl.named(jnp.zeros((2, 3)), "batch features")
        >>> tl.rename(x, {"features": "features'"})
        f32[batch:2, features':3]
        >>> x.rename(batch="examples")
        f32[examples:2, features:3]
    """
    for old in mapping:
        x.position(old, op="rename")
    names = tuple(mapping.get(n, n) for n in x.names)
    for old, new in mapping.items():
        if names.count(new) > 1:
            clash = next(n for n in x.names if n != old and mapping.get(n, n) == new)
            what = "the existing axis" if clash not in mapping else "the renamed axis"
            raise errors.duplicate_axis(
                "rename",
                new,
                argument="mapping",
                detail=f"renaming `{old}` to `{new}` collides with {what} `{clash}`",
            )
    return keep_range(x, NamedArray(x.data, names))


@typechecked
def flatten(x: Shaped[NamedArray, "..."], axes: Names, into: str) -> Shaped[NamedArray, "..."]:
    """`x_{axes} → into`: merge `axes` into one axis, row-major in the order listed.

    Position `i` of `into` is the tuple of positions of `axes` in lexicographic
    order, the last listed axis varying fastest (the seed's
    `X^5_inp = X^4_{height,width,channels}`).

    Examples:
        >>> x = tl.named(jnp.zeros((2, 3, 4, 5)), "batch channels height width")
        >>> tl.flatten(x, "channels height width", "features")
        f32[batch:2, features:60]
    """
    names, pos = _axes(x, axes, "flatten")
    rest = [n for n in x.names if n not in names]
    if into in rest:
        raise errors.duplicate_axis(
            "flatten",
            into,
            argument="into",
            detail=f"`into` (={into!r}) collides with an axis that is not flattened",
        )
    # The merged axis sits where the first of `axes` is stored, so that axes
    # already stored together and in the listed order need only a reshape.
    first = builtins.min(pos) if pos else len(x.names)
    before = [n for n in x.names[:first] if n not in names]
    after = [n for n in rest if n not in before]
    data = x.align([*before, *names, *after]).data
    size = math.prod(x.size_of(n) for n in names)
    shape = [x.size_of(n) for n in before] + [size] + [x.size_of(n) for n in after]
    return NamedArray(jnp.reshape(data, shape), (*before, into, *after))


@typechecked
def unflatten(
    x: Shaped[NamedArray, "..."], axis: str, sizes: Mapping[str, Any]
) -> Shaped[NamedArray, "..."]:
    """The inverse of `flatten`: split `axis` into the axes of `sizes`, row-major.

    Examples:
        >>> x = tl.named(jnp.zeros((2, 60)), "batch features")
        >>> tl.unflatten(x, "features", {"channels": 3, "height": 4, "width": 5})
        f32[batch:2, channels:3, height:4, width:5]
    """
    pos = x.position(axis, op="unflatten")
    new = as_names(list(sizes), argument="sizes", op="unflatten")
    # A size may be 0 (an empty axis splits into sizes whose product is 0).
    values = [
        _size(v, op="unflatten", argument=f"sizes[{k!r}]", minimum=0) for k, v in sizes.items()
    ]
    total = math.prod(values)
    n = x.size_of(axis)
    if not equal(total, n, op="unflatten", argument="sizes", axis=axis):
        raise errors.bad_size(
            "unflatten",
            axis,
            argument="sizes",
            expected=n,
            actual=total,
            problem=f"the sizes {dict(sizes)} multiply to {total}, not to the size "
            f"of axis `{axis}` (={n})",
        )
    for name in new:
        if name != axis and name in x.names:
            raise errors.duplicate_axis(
                "unflatten",
                name,
                argument="sizes",
                detail=f"the new axis `{name}` collides with an existing axis",
            )
    names = x.names[:pos] + new + x.names[pos + 1 :]
    shape = x.shape[:pos] + tuple(values) + x.shape[pos + 1 :]
    return NamedArray(jnp.reshape(x.data, shape), names)


@typechecked
def unfold(
    x: Shaped[NamedArray, "..."], axis: str, window: str, size: Size, stride: Size = 1
) -> Shaped[NamedArray, "..."]:
    """The seed's `U`: windows of `size` along `axis`, a new axis named `window`.

    `axis` shrinks to `(n - size) // stride + 1` positions and
    `U[axis=i, window=d] = x[axis=i*stride + d]`. Non-overlapping windows
    (`stride == size`) are a reshape of `x`; others are `size` strided slices.
    `size` may be symbolic only with `stride == 1` or `stride == size`.

    Examples:
        >>> x = tl.named(jnp.arange(6.0), "width")
        >>> U = tl.unfold(x, "width", "kw", 3)
        >>> U
        f32[width:4, kw:3]
        >>> U[{"width": 1}].data
        Array([1., 2., 3.], dtype=float32)
        >>> tl.unfold(x, "width", "kw", 2, stride=2)
        f32[width:3, kw:2]
    """
    pos = x.position(axis, op="unfold")
    n = x.size_of(axis)
    k = _size(size, op="unfold", argument="size")
    stride = _size(stride, op="unfold", argument="stride")
    (window,) = as_names([window], argument="window", op="unfold")
    claim = f"{fmt(n)} >= {fmt(k)}"
    if holds(lambda: k > n, claim, op="unfold", argument="size", axis=axis, sizes=(n, k)):
        raise errors.bad_size(
            "unfold",
            axis,
            argument="size",
            expected=f">= {k}",
            actual=n,
            problem=f"`size` (={k}) is larger than axis `{axis}` (={n})",
        )
    if window in x.names:
        raise errors.duplicate_axis(
            "unfold",
            window,
            argument="window",
            detail=f"`window` (={window!r}) collides with an existing axis",
        )
    m = (n - k) // stride + 1
    if _same(stride, k):
        kept = x.data if _same(m * k, n) else lax.slice_in_dim(x.data, 0, m * k, axis=pos)
        data = jnp.reshape(kept, (*x.shape[:pos], m, k, *x.shape[pos + 1 :]))
    elif isinstance(k, int):
        end = (m - 1) * stride + 1
        data = jnp.stack(
            [lax.slice_in_dim(x.data, d, d + end, stride, axis=pos) for d in range(k)],
            axis=pos + 1,
        )
    elif _same(stride, 1):  # a symbolic window: gather the positions i + d
        rows = lax.broadcasted_iota(jnp.int32, (m, k), 0) + lax.broadcasted_iota(
            jnp.int32, (m, k), 1
        )
        data = jnp.take(x.data, rows, axis=pos)
    else:
        raise errors.bad_argument(
            "unfold",
            "stride",
            stride,
            must=f"be 1 or equal to `size` when `size` is symbolic (={k})",
            axis=axis,
        )
    return NamedArray(data, (*x.names[: pos + 1], window, *x.names[pos + 1 :]))


def _same(a: Any, b: Any) -> bool:
    """`a == b` for sizes; symbolic sizes JAX cannot prove equal count as different."""
    try:
        return bool(a == b)
    except jax.errors.InconclusiveDimensionOperation:
        return False


@method_of_named_array("rename")
def _rename_method(
    x: NamedArray, mapping: Mapping[str, str] | None = None, **renames: str
) -> NamedArray:
    return rename(x, {**(mapping or {}), **renames})
