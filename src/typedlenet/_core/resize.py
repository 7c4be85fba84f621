"""Resizing by name: `resize` to given sizes, `upsample` by integer factors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import errors
from .annotations import Shaped
from .call_checks import typechecked
from .named import NamedArray
from .sizes import Size, as_names, size

__all__ = ["resize", "upsample"]

_METHODS = ("nearest", "linear")


def _method(method: str, op: str) -> str:
    if method not in _METHODS:
        raise errors.bad_argument(
            op,
            "method",
            method,
            must=f"be one of {', '.join(map(repr, _METHODS))}",
            expected=_METHODS,
        )
    return method


def _axes(x: NamedArray, sizes: Mapping[str, Any], op: str, argument: str) -> None:
    if not isinstance(sizes, Mapping) or not sizes:
        raise TypeError(f"{op}: `{argument}` maps axis names to sizes, got {sizes!r}")
    as_names(list(sizes), argument=argument, op=op)
    for axis in sizes:
        x.position(axis, op=op, argument="x")


@typechecked
def resize(
    x: Shaped[NamedArray, "..."],
    sizes: Mapping[str, Size],
    method: str = "linear",
    *,
    antialias: bool = True,
) -> Shaped[NamedArray, "..."]:
    """`x` resampled to `sizes` along the named axes, the others untouched.

    Position `i` of an axis resized from `n` to `m` positions reads `x` at
    `(i + ½)·n/m − ½` (pixel centres aligned): `"nearest"` takes the nearest
    position, `"linear"` interpolates between the two around it (the edges
    repeat). Shrinking with `antialias=True` averages over what it skips
    (`jax.image.resize`). Sizes may be symbolic. An empty axis cannot be
    resized: it has no position to read.

    Examples:
        >>> x = tl.named(jnp.array([[0.0, 1.0]]), "batch width")
        >>> tl.resize(x, {"width": 4}).data
        Array([[0.  , 0.25, 0.75, 1.  ]], dtype=float32)
    """
    op = "resize"
    method = _method(method, op)
    _axes(x, sizes, op, "sizes")
    target = {a: size(n, op=op, argument=f"sizes[{a!r}]") for a, n in sizes.items()}
    for axis in target:
        n = x.size_of(axis)
        if isinstance(n, int) and n == 0:  # nothing to read a position from
            raise errors.bad_size(
                op,
                axis,
                argument="x",
                expected=">= 1",
                actual=0,
                problem=f"axis `{axis}` of `x` is empty: there is nothing to resample",
            )
    shape = tuple(target.get(a, n) for a, n in zip(x.names, x.shape))
    data = x.data if jnp.issubdtype(x.dtype, jnp.inexact) else x.data.astype(jnp.float32)
    out = jax.image.resize(data, shape, method, antialias=antialias)
    return NamedArray(out.astype(data.dtype), x.names)


@typechecked
def upsample(
    x: Shaped[NamedArray, "..."], factors: Mapping[str, Size], method: str = "nearest"
) -> Shaped[NamedArray, "..."]:
    """`x` with each named axis `factors[axis]` times as long.

    `"nearest"`: each position repeated, `upsample(x, {a: f})_{a=i} = x_{a=⌊i/f⌋}`
    (the notation's own; any dtype). `"linear"`: `resize` to `f·n` positions
    (an empty axis stays empty, as with `"nearest"`).

    Examples:
        >>> x = tl.named(jnp.array([[1, 2], [3, 4]]), "height width")
        >>> tl.upsample(x, {"height": 2, "width": 2}).data
        Array([[1, 1, 2, 2],
               [1, 1, 2, 2],
               [3, 3, 4, 4],
               [3, 3, 4, 4]], dtype=int32)
    """
    op = "upsample"
    method = _method(method, op)
    _axes(x, factors, op, "factors")
    factors = dict(factors)
    for axis, f in factors.items():
        if isinstance(f, np.integer):
            factors[axis] = f = int(f)
        if isinstance(f, bool) or not isinstance(f, int) or f < 1:
            raise errors.bad_argument(
                op, "factors", f, must=f"give axis `{axis}` a positive integer factor", axis=axis
            )
    empty = any(isinstance(n, int) and n == 0 for n in map(x.size_of, factors))
    if method == "linear" and not empty:  # an empty result has no values to interpolate
        return resize(x, {a: f * x.size_of(a) for a, f in factors.items()}, "linear")
    data = x.data
    for axis, f in factors.items():
        if f > 1:
            data = jnp.repeat(data, f, axis=x.names.index(axis))
    return NamedArray(data, x.names)
