"""Indexing by name: one position, a slice, on plain data and axis names.

`NamedArray.__getitem__` calls `index_one` for each axis of its index (and
`take` for an index that is itself a NamedArray).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.core import Tracer

from . import errors

__all__ = ["index_one"]


def _position(names: tuple[str, ...], axis: str) -> int:
    if axis not in names:
        raise errors.missing_axis("index", axis, argument="x", present=names)
    return names.index(axis)


def index_one(
    data: Any, names: tuple[str, ...], axis: Any, where: Any
) -> tuple[Any, tuple[str, ...]]:
    """`data` (axes `names`) indexed along `axis` by `where`, a position or a slice."""
    if not isinstance(axis, str):
        raise TypeError(f"index: keys name axes and must be strings, got {axis!r}")
    pos = _position(names, axis)
    size = data.shape[pos]
    if isinstance(where, slice):
        start, stop, step = _slice_bounds(where, size, axis)
        if step < 0:  # walk the reversed axis forwards
            data = lax.rev(data, (pos,))
            start, stop, step = size - 1 - start, size - 1 - stop, -step
        return lax.slice_in_dim(data, start, stop, step, axis=pos), names
    if isinstance(where, (bool, np.bool_)) or not (
        isinstance(where, (int, np.integer))
        or (hasattr(where, "dtype") and jnp.ndim(where) == 0 and _is_integer(where))
    ):
        raise TypeError(
            f"index: axis `{axis}` takes an integer, a slice or a NamedArray of integers, "
            f"got {where!r} ({type(where).__name__})"
        )
    rest = tuple(n for n in names if n != axis)
    if isinstance(where, Tracer):
        return lax.dynamic_index_in_dim(data, where, pos, keepdims=False), rest
    i = int(where)
    if isinstance(size, int) and not -size <= i < size:
        raise errors.out_of_range("index", axis, i, size)
    if i < 0 and not isinstance(size, int):
        raise errors.bad_argument(
            "index",
            "where",
            i,
            must=f"count from the start: axis `{axis}` has the symbolic size {size}",
            axis=axis,
        )
    return lax.index_in_dim(data, i % size if i < 0 else i, pos, False), rest


def _is_integer(value: Any) -> bool:
    return bool(jnp.issubdtype(value.dtype, jnp.integer))


def _slice_bounds(where: slice, size: Any, axis: str) -> tuple[Any, Any, int]:
    """`where.indices(size)`, also for a symbolic `size` (then with step >= 1)."""
    for part in ("start", "stop", "step"):
        value = getattr(where, part)
        if value is not None and (
            isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer))
        ):
            raise TypeError(
                f"index: the slice of axis `{axis}` has a {part} of {value!r} "
                f"({type(value).__name__}); slice bounds are integers or None"
            )
    if where.step == 0:
        raise errors.bad_argument(
            "index", "where", where, must=f"have a non-zero step to slice axis `{axis}`", axis=axis
        )
    if isinstance(size, int):
        start, stop, step = where.indices(size)
        if step < 0:
            return start, min(start, stop), step
        return start, max(start, stop), step
    step = 1 if where.step is None else int(where.step)
    if step < 1:
        raise errors.bad_argument(
            "index",
            "where",
            where,
            must=f"have a positive step: axis `{axis}` has the symbolic size {size}",
            axis=axis,
        )

    def bound(value: int | None, default: Any) -> Any:
        return default if value is None else (size + int(value) if value < 0 else int(value))

    return bound(where.start, 0), bound(where.stop, size), step
