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
from .sizes import fmt, holds

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
    if not _within(i, size, axis):
        raise errors.out_of_range("index", axis, i, size)
    return lax.index_in_dim(data, size + i if i < 0 else i, pos, False), rest


def _within(i: int, size: Any, axis: str) -> bool:
    """Whether position `i` (from the end when negative) lies on an axis of `size`:
    at once for a concrete size, by proof for a symbolic one (`x[{"seq": -1}]` holds
    for every size; `x[{"seq": 5}]` needs `n >= 6`, a constraint when unproven)."""
    need = -i if i < 0 else i + 1
    return holds(
        lambda: size >= need,
        f"{fmt(size)} >= {need}",
        op="index",
        argument="x",
        axis=axis,
        sizes=(size,),
    )


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

    def at_least(upper: Any, lower: Any) -> bool:
        """`upper >= lower` for positions on the axis, proven; a constraint on the
        axis's size when JAX cannot decide it."""
        difference = upper - lower
        k = size - difference
        claim = f"{fmt(size)} >= {k}" if isinstance(k, int) else f"{fmt(difference)} >= 0"
        return holds(
            lambda: difference >= 0, claim, op="index", argument="x", axis=axis, sizes=(size,)
        )

    def position(value: int | None, default: Any, low: Any, high: Any) -> Any:
        """A bound as a position clamped into low..high, as Python's slices clamp."""
        if value is None:
            return default
        value = int(value)
        at = size + value if value < 0 else value
        if not at_least(at, low):
            return low
        if not at_least(high, at):
            return high
        return at

    if step > 0:
        start = position(where.start, 0, 0, size)
        stop = position(where.stop, size, 0, size)
        return start, (stop if at_least(stop, start) else start), step
    # A negative step walks from `start` (the last position by default) down to
    # just after `stop` (-1, before the first position, by default).
    start = position(where.start, size - 1, -1, size - 1)
    stop = position(where.stop, -1, -1, size - 1)
    return start, (stop if at_least(start, stop) else start), step
