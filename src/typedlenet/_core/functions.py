"""Elementwise functions a model reaches for, lifted by name like `tl.exp`.

Each applies a function of scalars at every position and keeps the axes;
several arguments (`clip`'s bounds) are broadcast by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from .annotations import Shaped
from .call_checks import typechecked
from .named import NamedArray
from .ops import _elementwise

__all__ = [
    "abs",
    "clip",
    "cos",
    "erf",
    "expm1",
    "log1p",
    "rsqrt",
    "sign",
    "silu",
    "sin",
    "softplus",
    "square",
]


def _inexact(v: Any) -> Any:
    """`v` as a floating array (integers and booleans become float32, as `jnp.sqrt` does)."""
    v = jnp.asarray(v)
    return v if jnp.issubdtype(v.dtype, jnp.inexact) else v.astype(jnp.float32)


def _rsqrt(v: Any) -> Any:
    return lax.rsqrt(_inexact(v))


def _erf(v: Any) -> Any:
    return lax.erf(_inexact(v))


_rsqrt.__name__, _erf.__name__ = "rsqrt", "erf"  # as errors name them


def _function(fn: Callable[..., Any], name: str, doc: str) -> Callable[..., NamedArray]:
    """`fn` lifted elementwise by name (as `lift` does), called `name`, documented by `doc`."""

    def function(*args: Any, **kwargs: Any) -> NamedArray:
        return _elementwise(fn, args, kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return function


abs = _function(
    jnp.abs,
    "abs",
    """`|x|` at every position; the axes are unchanged.

    Examples:
        >>> tl.abs(tl.named(jnp.array([-2.0, 0.5]), "seq")).data
        Array([2. , 0.5], dtype=float32)
    """,
)
sign = _function(
    jnp.sign,
    "sign",
    """`-1`, `0` or `1` at every position, as `x` is negative, zero or positive.

    Examples:
        >>> tl.sign(tl.named(jnp.array([-2.0, 0.0, 3.0]), "seq")).data
        Array([-1.,  0.,  1.], dtype=float32)
    """,
)
square = _function(
    jnp.square,
    "square",
    """`x²` at every position.

    Examples:
        >>> tl.square(tl.named(jnp.array([-2.0, 3.0]), "seq")).data
        Array([4., 9.], dtype=float32)
    """,
)
rsqrt = _function(
    _rsqrt,
    "rsqrt",
    """`1 / √x` at every position (one fused operation); integers give float32.

    Examples:
        >>> tl.rsqrt(tl.named(jnp.array([4.0, 0.25]), "seq")).data
        Array([0.5, 2. ], dtype=float32)
    """,
)
sin = _function(
    jnp.sin,
    "sin",
    """`sin x` at every position.

    Examples:
        >>> tl.sin(tl.named(jnp.array([0.0]), "seq")).data
        Array([0.], dtype=float32)
    """,
)
cos = _function(
    jnp.cos,
    "cos",
    """`cos x` at every position.

    Examples:
        >>> tl.cos(tl.named(jnp.array([0.0]), "seq")).data
        Array([1.], dtype=float32)
    """,
)
log1p = _function(
    jnp.log1p,
    "log1p",
    """`log(1 + x)` at every position, accurate for small `x`.

    Examples:
        >>> tl.log1p(tl.named(jnp.array([0.0]), "seq")).data
        Array([0.], dtype=float32)
    """,
)
expm1 = _function(
    jnp.expm1,
    "expm1",
    """`exp(x) - 1` at every position, accurate for small `x`.

    Examples:
        >>> tl.expm1(tl.named(jnp.array([0.0]), "seq")).data
        Array([0.], dtype=float32)
    """,
)
softplus = _function(
    jax.nn.softplus,
    "softplus",
    """`log(1 + exp x)` at every position, computed stably.

    Examples:
        >>> tl.softplus(tl.named(jnp.array([0.0]), "seq")).data
        Array([0.6931472], dtype=float32)
    """,
)
silu = _function(
    jax.nn.silu,
    "silu",
    """`x · sigmoid(x)` at every position (also called swish).

    Examples:
        >>> tl.silu(tl.named(jnp.array([0.0, 1.0]), "seq")).data
        Array([0.       , 0.7310586], dtype=float32)
    """,
)
erf = _function(
    _erf,
    "erf",
    """The error function `erf x = 2/√π ∫_0^x exp(-t²) dt` at every position.

    Examples:
        >>> tl.erf(tl.named(jnp.array([0.0]), "seq")).data
        Array([0.], dtype=float32)
    """,
)


@typechecked
def clip(x: Shaped[NamedArray, "..."], lo: Any = None, hi: Any = None) -> Shaped[NamedArray, "..."]:
    """`min(max(x, lo), hi)` at every position; `x`, `lo` and `hi` broadcast by name.

    `lo` and `hi` are scalars, NamedArrays, or `None` for no bound on that
    side; with neither, `x` itself (as `jnp.clip`).

    Examples:
        >>> tl.clip(tl.named(jnp.array([-2.0, 0.5, 3.0]), "seq"), 0.0, 1.0).data
        Array([0. , 0.5, 1. ], dtype=float32)
    """
    if lo is None and hi is None:
        return x
    given = tuple(b for b in (lo, hi) if b is not None)

    def clip(v: Any, *bounds: Any) -> Any:
        rest = iter(bounds)
        low = next(rest) if lo is not None else None
        high = next(rest) if hi is not None else None
        return jnp.clip(v, low, high)

    return _elementwise(clip, (x, *given), {})
