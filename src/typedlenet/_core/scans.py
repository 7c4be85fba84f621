"""Scans and shifts along named axes: `cumsum`, `cumprod`, `roll`, `flip`.

Each keeps the axes of its input and is lifted over every axis it does not name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np
from jax import lax

from . import errors
from .annotations import Shaped
from .call_checks import typechecked
from .named import NamedArray
from .sizes import Names, as_names, is_size

__all__ = ["cumprod", "cumsum", "flip", "roll"]


def _scan(fn: Callable[..., Any], x: NamedArray, axis: str, reverse: bool, op: str) -> NamedArray:
    (axis,) = as_names([axis], argument="axis", op=op)
    pos = x.position(axis, op=op, argument="x")
    data = x.data
    if data.dtype == jnp.bool_:  # as `jnp.cumsum`: booleans count as integers
        data = data.astype(jnp.int32)
    return NamedArray(fn(data, pos, reverse=reverse), x.names)


@typechecked
def cumsum(
    x: Shaped[NamedArray, "..."], axis: str, *, reverse: bool = False
) -> Shaped[NamedArray, "..."]:
    """The running sum along `axis`: `cumsum(x, ax)[ax=i] = sum_{j <= i} x[ax=j]`.

    With `reverse`, the sum of the positions from `i` to the end. Booleans are
    counted as integers.

    Examples:
        >>> x = tl.named(jnp.array([1, 2, 3, 4]), "time")
        >>> tl.cumsum(x, "time").data
        Array([ 1,  3,  6, 10], dtype=int32)
        >>> tl.cumsum(x, "time", reverse=True).data
        Array([10,  9,  7,  4], dtype=int32)
    """
    return _scan(lax.cumsum, x, axis, reverse, "cumsum")


@typechecked
def cumprod(
    x: Shaped[NamedArray, "..."], axis: str, *, reverse: bool = False
) -> Shaped[NamedArray, "..."]:
    """The running product along `axis`: `cumprod(x, ax)[ax=i] = prod_{j <= i} x[ax=j]`.

    With `reverse`, the product of the positions from `i` to the end.

    Examples:
        >>> x = tl.named(jnp.array([1.0, 2.0, 3.0, 4.0]), "time")
        >>> tl.cumprod(x, "time").data
        Array([ 1.,  2.,  6., 24.], dtype=float32)
    """
    return _scan(lax.cumprod, x, axis, reverse, "cumprod")


@typechecked
def roll(x: Shaped[NamedArray, "..."], axis: str, shift: Any) -> Shaped[NamedArray, "..."]:
    """`x` shifted cyclically by `shift` positions along `axis`:
    `roll(x, ax, s)[ax=i] = x[ax=(i - s) mod n]`.

    `shift` is an integer (negative shifts go the other way), a symbolic size,
    or a 0-d integer array (traced under `jax.jit`).

    Examples:
        >>> x = tl.named(jnp.array([0, 1, 2, 3]), "time")
        >>> tl.roll(x, "time", 1).data
        Array([3, 0, 1, 2], dtype=int32)
    """
    (axis,) = as_names([axis], argument="axis", op="roll")
    pos = x.position(axis, op="roll", argument="x")
    if not is_size(shift) and not _integer_scalar(shift):
        raise TypeError(
            f"roll: `shift` must be an integer, a symbolic size or a 0-d integer array, "
            f"got {shift!r} ({type(shift).__name__})"
        )
    return NamedArray(jnp.roll(x.data, shift, axis=pos), x.names)


def _integer_scalar(value: Any) -> bool:
    if isinstance(value, NamedArray) or not hasattr(value, "dtype"):
        return False
    return np.ndim(value) == 0 and jnp.issubdtype(value.dtype, jnp.integer)


@typechecked
def flip(x: Shaped[NamedArray, "..."], axes: Names) -> Shaped[NamedArray, "..."]:
    """`x` with the order of positions reversed along each axis of `axes`:
    `flip(x, ax)[ax=i] = x[ax=n-1-i]`.

    Examples:
        >>> x = tl.named(jnp.array([[0, 1, 2], [3, 4, 5]]), "batch time")
        >>> tl.flip(x, "time").data
        Array([[2, 1, 0],
               [5, 4, 3]], dtype=int32)
    """
    names = as_names(axes, argument="axes", op="flip")
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise errors.duplicate_axis("flip", twice, argument="axes", among="`axes`")
    positions = tuple(x.position(n, op="flip", argument="x") for n in names)
    return NamedArray(lax.rev(x.data, positions), x.names)
