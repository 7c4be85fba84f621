"""Random numbers over named axes: `tl.random.normal`, `uniform`, `bernoulli`, `randint`.

Each takes a JAX key and the named sizes of the result, in the form `tl.zeros`
takes (a mapping to `int` or symbolic sizes, or `"name:size ..."`). The numbers
are JAX's for the same key and the shape in the order `sizes` lists. Nothing is
drawn or seeded when the module is imported.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer

from . import errors
from .annotations import Bool, Float, Int
from .call_checks import typechecked
from .creation import AxisSizes, axis_sizes
from .named import NamedArray
from .ranges import ranged
from .sizes import clash, equal, fmt, holds, is_size

__all__ = ["bernoulli", "normal", "randint", "uniform"]


def _key(key: Any, op: str) -> Any:
    if isinstance(key, NamedArray) or not hasattr(key, "dtype"):
        raise TypeError(
            f"random.{op}: `key` must be a JAX key (`jax.random.key(0)` or "
            f"`jax.random.PRNGKey(0)`), got {key!r} ({type(key).__name__})"
        )
    return key


def _concrete(value: Any) -> bool:
    """Whether a scalar bound is known while tracing (not a traced value)."""
    return not isinstance(value, Tracer)


def _bound(value: Any, op: str, argument: str) -> Any:
    if isinstance(value, NamedArray) or jnp.ndim(value) != 0:
        raise TypeError(
            f"random.{op}: `{argument}` must be a scalar, got {value!r}; draw over the "
            "named axes, then shift and scale by name"
        )
    return value


@typechecked
def normal(key: Any, sizes: AxisSizes, dtype: Any = jnp.float32) -> Float[NamedArray, "..."]:
    """Independent standard normal numbers over the named axes of `sizes`.

    Examples:
        >>> tl.random.normal(jax.random.key(0), {"batch": 2, "hidden": 3})
        f32[batch:2, hidden:3]
    """
    names, shape = axis_sizes(sizes, "random.normal")
    return NamedArray(jax.random.normal(_key(key, "normal"), shape, dtype), names)


@typechecked
def uniform(
    key: Any,
    sizes: AxisSizes,
    minval: Any = 0.0,
    maxval: Any = 1.0,
    dtype: Any = jnp.float32,
) -> Float[NamedArray, "..."]:
    """Independent numbers uniform in `[minval, maxval)` over the named axes of `sizes`.

    Examples:
        >>> u = tl.random.uniform(jax.random.key(0), "seq:4", 2.0, 3.0)
        >>> bool(((u >= 2.0) & (u < 3.0)).data.all())
        True
    """
    names, shape = axis_sizes(sizes, "random.uniform")
    low, high = _bound(minval, "uniform", "minval"), _bound(maxval, "uniform", "maxval")
    if _concrete(low) and _concrete(high) and not float(high) > float(low):
        raise errors.bad_argument(
            "random.uniform",
            "maxval",
            high,
            must=f"be larger than `minval` (={low})",
            expected=f"> {low}",
        )
    return NamedArray(jax.random.uniform(_key(key, "uniform"), shape, dtype, low, high), names)


@typechecked
def bernoulli(key: Any, p: Any, sizes: AxisSizes | None = None) -> Bool[NamedArray, "..."]:
    """`True` with probability `p`, independently at every position.

    `p` is a scalar or a NamedArray (a probability per position of its axes);
    the result has the axes of `sizes` and then `p`'s others, an axis in both
    of one size. Without `sizes`, the axes are `p`'s.

    Examples:
        >>> p = tl.named(jnp.array([0.0, 1.0]), "expert")
        >>> tl.random.bernoulli(jax.random.key(0), p, {"batch": 2}).align("batch expert").data
        Array([[False,  True],
               [False,  True]], dtype=bool)
    """
    op = "random.bernoulli"
    names, shape = axis_sizes(sizes if sizes is not None else {}, op)
    key = _key(key, "bernoulli")
    if not isinstance(p, NamedArray):
        _bound(p, "bernoulli", "p")
        if sizes is None:
            raise TypeError(f"{op}: give `sizes`, or a NamedArray `p` to take its axes")
        return NamedArray(jax.random.bernoulli(key, p, shape), names)
    every = dict(zip(names, shape))
    for axis, n in p.sizes.items():
        if axis not in every:
            every[axis] = n
        elif not equal(every[axis], n, op=op, argument="p", axis=axis):
            raise clash(op, axis, every[axis], "`sizes`", n, "`p`", argument="p")
    result = tuple(every)
    data = p.align([a for a in result if a in p.names]).data
    data = jnp.reshape(data, [every[a] if a in p.names else 1 for a in result])
    return NamedArray(jax.random.bernoulli(key, data, tuple(every.values())), result)


@typechecked
def randint(
    key: Any, sizes: AxisSizes, low: Any, high: Any, dtype: Any = jnp.int32
) -> Int[NamedArray, "..."]:
    """Independent integers uniform in `[low, high)` over the named axes of `sizes`.

    With `low >= 0` and `high` a size (an `int` or a symbolic size, such as
    `x.sizes["seq"]`), the result knows it holds positions of an axis of
    `high` positions (`tl.index_range`), so `take` checks it against the axis
    it is used on.

    Examples:
        >>> i = tl.random.randint(jax.random.key(0), {"batch": 3}, 0, 10)
        >>> i, tl.index_range(i).size
        (i32[batch:3], 10)
    """
    op = "random.randint"
    names, shape = axis_sizes(sizes, op)
    low, high = _bound(low, "randint", "low"), _bound(high, "randint", "high")
    if (
        is_size(low)
        and is_size(high)
        and not holds(
            lambda: high > low, f"{fmt(high)} > {fmt(low)}", op=op, argument="high", axis=None
        )
    ):
        raise errors.bad_argument(
            op, "high", high, must=f"be larger than `low` (={low})", expected=f"> {low}"
        )
    out = NamedArray(jax.random.randint(_key(key, "randint"), shape, low, high, dtype), names)
    if isinstance(low, (int, np.integer)) and int(low) >= 0 and is_size(high):
        return ranged(out, high, f"randint below {high}")
    return out
