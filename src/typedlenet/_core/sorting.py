"""Sorting and selection along one named axis: `sort`, `argsort`, `top_k`.

Each works on the axis it names and is lifted over every other axis. The
positions they return know their range (`index_range`): `take` checks them
against the axis they are used on, for concrete and symbolic sizes.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
from jax import lax

from . import errors
from .annotations import Int, Shaped
from .call_checks import typechecked
from .named import NamedArray
from .ranges import ranged
from .sizes import Size, as_names, fmt, holds
from .sizes import size as _size

__all__ = ["argsort", "sort", "top_k"]


def _one_axis(x: NamedArray, axis: str, op: str) -> int:
    """Where `x` stores `axis`, a single axis name."""
    names = as_names([axis], argument="axis", op=op)
    return x.position(names[0], op=op, argument="x")


@typechecked
def sort(
    x: Shaped[NamedArray, "..."], axis: str, *, descending: bool = False
) -> Shaped[NamedArray, "..."]:
    """The elements along `axis` in increasing order (decreasing with `descending`).

    `sort(x, ax)[ax=i] <= sort(x, ax)[ax=i+1]` at every position of the other
    axes; the axes are unchanged. NaNs sort last, as in `jnp.sort`.

    Examples:
        >>> x = tl.named(jnp.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]), "batch seq")
        >>> tl.sort(x, "seq").data
        Array([[1., 2., 3.],
               [0., 4., 5.]], dtype=float32)
    """
    pos = _one_axis(x, axis, "sort")
    return NamedArray(jnp.sort(x.data, axis=pos, descending=descending), x.names)


@typechecked
def argsort(
    x: Shaped[NamedArray, "..."], axis: str, *, descending: bool = False
) -> Int[NamedArray, "..."]:
    """The positions along `axis` that sort it: `x[ax=argsort(x, ax)] = sort(x, ax)`.

    Equal elements keep their order (a stable sort). The result has `x`'s axes
    and holds positions of `axis`, which it knows (`tl.index_range`).

    Examples:
        >>> x = tl.named(jnp.array([3.0, 1.0, 2.0]), "seq")
        >>> tl.argsort(x, "seq").data
        Array([1, 2, 0], dtype=int32)
        >>> tl.index_range(tl.argsort(x, "seq")).size
        3
    """
    pos = _one_axis(x, axis, "argsort")
    n = x.size_of(axis)
    out = NamedArray(jnp.argsort(x.data, axis=pos, descending=descending), x.names)
    return ranged(out, n, f"argsort over {axis}:{fmt(n, grouped=False)}", axis)


@typechecked
def top_k(
    x: Shaped[NamedArray, "..."], axis: str, k: Size, *, into: str | None = None
) -> tuple[NamedArray, NamedArray]:
    """The `k` largest elements along `axis`, largest first, and their positions.

    Returns `(values, indices)`: `axis` is replaced by the axis `into` of `k`
    positions (`into` defaults to `axis` itself, now of size `k`), and
    `values[into=j] = x[axis=indices[into=j]]` with
    `values[into=j] >= values[into=j+1]`; of equal elements the earlier
    position comes first. `indices` know their range (positions of `axis`).
    `k` may be symbolic; it must be at most the size of `axis`.

    Examples:
        >>> x = tl.named(jnp.array([[0.1, 0.7, 0.2], [0.5, 0.1, 0.4]]), "batch expert")
        >>> weights, chosen = tl.top_k(x, "expert", 2, into="slot")
        >>> chosen
        i32[batch:2, slot:2]
        >>> chosen.data
        Array([[1, 2],
               [0, 2]], dtype=int32)
    """
    op = "top_k"
    pos = _one_axis(x, axis, op)
    n = x.size_of(axis)
    k = _size(k, op=op, argument="k", minimum=0)
    (into,) = as_names([axis if into is None else into], argument="into", op=op)
    if into != axis and into in x.names:
        raise errors.duplicate_axis(
            op, into, argument="into", detail=f"`into` (={into!r}) is an axis of `x` already"
        )
    if not holds(lambda: n >= k, f"{fmt(n)} >= {fmt(k)}", op=op, argument="k", axis=axis):
        raise errors.bad_size(
            op,
            axis,
            argument="k",
            expected=n,
            actual=k,
            problem=f"`k` (={k}) is larger than axis `{axis}` (={n})",
        )
    data = jnp.moveaxis(x.data, pos, -1)
    values, indices = _largest(data, k)
    names = (*x.names[:pos], into, *x.names[pos + 1 :])
    values = NamedArray(jnp.moveaxis(values, -1, pos), names)
    indices = NamedArray(jnp.moveaxis(indices, -1, pos), names)
    return values, ranged(indices, n, f"top_k over {axis}:{fmt(n, grouped=False)}", axis)


def _largest(data: Any, k: Any) -> tuple[Any, Any]:
    """The `k` largest along the last axis, and where they are, largest first."""
    if isinstance(k, int) and k > 0:
        return lax.top_k(data, k)
    # A symbolic (or zero) `k`: a stable descending sort, cut to its first `k`.
    order = lax.slice_in_dim(jnp.argsort(data, axis=-1, descending=True), 0, k, axis=-1)
    return jnp.take_along_axis(data, order, axis=-1), order.astype(jnp.int32)
