"""Repetition along a named axis: `repeat` (each position in turn) and `tile`
(the whole axis in turn). The axis grows; every other axis is unchanged.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .annotations import Shaped
from .call_checks import typechecked
from .named import NamedArray
from .sizes import Size, as_names
from .sizes import size as _size

__all__ = ["repeat", "tile"]


def _grown(x: NamedArray, axis: str, times: Any, op: str, inner: bool) -> NamedArray:
    """`x` with `axis` of `n` positions grown to `n * times`: each position
    repeated (`inner`) or the whole axis repeated."""
    (axis,) = as_names([axis], argument="axis", op=op)
    pos = x.position(axis, op=op, argument="x")
    r = _size(times, op=op, argument="times", minimum=0)
    n = x.size_of(axis)
    shape = x.shape
    # The copies are a new axis after `axis` (each position repeated) or before it.
    middle = (n, r) if inner else (r, n)
    data = jnp.expand_dims(x.data, pos + 1 if inner else pos)
    data = jnp.broadcast_to(data, (*shape[:pos], *middle, *shape[pos + 1 :]))
    return NamedArray(jnp.reshape(data, (*shape[:pos], n * r, *shape[pos + 1 :])), x.names)


@typechecked
def repeat(x: Shaped[NamedArray, "..."], axis: str, times: Size) -> Shaped[NamedArray, "..."]:
    """Each position of `axis` repeated `times` times in a row; the axis grows
    from `n` to `n * times`: `repeat(x, ax, r)[ax=i] = x[ax=i // r]`.

    Examples:
        >>> tl.repeat(tl.named(jnp.array([1, 2, 3]), "seq"), "seq", 2).data
        Array([1, 1, 2, 2, 3, 3], dtype=int32)
    """
    return _grown(x, axis, times, "repeat", inner=True)


@typechecked
def tile(x: Shaped[NamedArray, "..."], axis: str, times: Size) -> Shaped[NamedArray, "..."]:
    """The whole of `axis` repeated `times` times; the axis grows from `n` to
    `n * times`: `tile(x, ax, r)[ax=i] = x[ax=i mod n]`.

    Examples:
        >>> tl.tile(tl.named(jnp.array([1, 2, 3]), "seq"), "seq", 2).data
        Array([1, 2, 3, 1, 2, 3], dtype=int32)
    """
    return _grown(x, axis, times, "tile", inner=False)
