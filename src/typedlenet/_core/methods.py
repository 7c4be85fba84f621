"""The operations that read better as methods: `x.sum("seq")` is `tl.sum(x, "seq")`.

`NamedArray` inherits them from `Methods`. Each one calls the function of the
same name, looked up when called, so that this module imports none of the
modules built on `NamedArray` (no import cycle), and so that there is one
definition of each operation, the function's.

numpy calls some methods of any array-like it is given (`np.sum(x)` calls
`x.sum(axis=None, dtype=None, out=None)`). Such a call names its axes by
position, which no named operation does; it is answered as numpy would answer
for the positional data, so numpy's functions keep working on a NamedArray.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

__all__ = ["Methods"]

# The keywords only numpy passes to the methods it calls.
_NUMPY_ONLY = frozenset({"out", "dtype", "keepdims", "initial", "where", "kind", "order", "mode"})


def _function(name: str) -> Any:
    return getattr(importlib.import_module("typedlenet._core"), name)


def _from_numpy(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether a method was called by numpy: an axis by position (None, an int,
    a tuple of ints) or a keyword only numpy uses."""
    if _NUMPY_ONLY & kwargs.keys():
        return True
    axis = kwargs.get("axis", args[0] if args else "")
    return (
        axis is None
        or isinstance(axis, int | np.integer)
        or (isinstance(axis, tuple) and all(isinstance(a, int | np.integer) for a in axis))
    )


def _numpy(x: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return getattr(np.asarray(x), name)(*args, **kwargs)


def _call(x: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """numpy's call answered positionally, a named call by the function `name`."""
    if (args or kwargs) and _from_numpy(args, kwargs):
        return _numpy(x, name, args, kwargs)
    return _function(name)(x, *args, **kwargs)


class Methods:
    """Methods of `NamedArray` that call the named operation of the same name."""

    # --- reductions (numpy calls these too) -------------------------------

    def sum(self, *args: Any, **kwargs: Any) -> Any:
        """`x.sum(over)` is `tl.sum(x, over)`: `Σ` over the axes `over` (all if None)."""
        return _call(self, "sum", args, kwargs)

    def mean(self, *args: Any, **kwargs: Any) -> Any:
        """`x.mean(over)` is `tl.mean(x, over)`: the mean over the axes `over`."""
        return _call(self, "mean", args, kwargs)

    def max(self, *args: Any, **kwargs: Any) -> Any:
        """`x.max(over)` is `tl.max(x, over)`: the largest element over `over`."""
        return _call(self, "max", args, kwargs)

    def min(self, *args: Any, **kwargs: Any) -> Any:
        """`x.min(over)` is `tl.min(x, over)`: the smallest element over `over`."""
        return _call(self, "min", args, kwargs)

    def var(self, *args: Any, **kwargs: Any) -> Any:
        """`x.var(over)` is `tl.var(x, over)`: the variance over the axes `over`."""
        return _call(self, "var", args, kwargs)

    def argmax(self, *args: Any, **kwargs: Any) -> Any:
        """`x.argmax(axis)` is `tl.argmax(x, axis)`: where the largest element of
        `axis` is, as an index array that knows the axis it indexes."""
        return _call(self, "argmax", args, kwargs)

    def cumsum(self, *args: Any, **kwargs: Any) -> Any:
        """`x.cumsum(axis)` is `tl.cumsum(x, axis)`: running sums along `axis`."""
        return _call(self, "cumsum", args, kwargs)

    def clip(self, *args: Any, **kwargs: Any) -> Any:
        """`x.clip(lo, hi)` is `tl.clip(x, lo, hi)`."""
        if _NUMPY_ONLY & kwargs.keys():
            return _numpy(self, "clip", args, kwargs)
        return _function("clip")(self, *args, **kwargs)

    def argsort(self, *args: Any, **kwargs: Any) -> Any:
        """`x.argsort(axis)` is `tl.argsort(x, axis)`: the positions that sort `axis`."""
        return _call(self, "argsort", args, kwargs)

    # --- named only -------------------------------------------------------

    def logsumexp(self, over: Any = None) -> Any:
        """`x.logsumexp(over)` is `tl.logsumexp(x, over)`: `log Σ_over exp x`."""
        return _function("logsumexp")(self, over)

    def softmax(self, over: Any) -> Any:
        """`x.softmax(over)` is `tl.softmax(x, over)`: `exp x / Σ_over exp x`."""
        return _function("softmax")(self, over)

    def log_softmax(self, over: Any) -> Any:
        """`x.log_softmax(over)` is `tl.log_softmax(x, over)`: `x - logsumexp_over x`."""
        return _function("log_softmax")(self, over)

    def dot(self, other: Any, over: Any) -> Any:
        """`x.dot(y, over)` is `tl.dot(x, y, over)`: `Σ_over x ⊙ y`."""
        return _function("dot")(self, other, over)

    def flatten(self, axes: Any, into: str) -> Any:
        """`x.flatten(axes, into)` is `tl.flatten(x, axes, into)`: the axes `axes`
        merged into one axis `into`, the first outermost."""
        return _function("flatten")(self, axes, into)

    def unflatten(self, axis: str, sizes: Any) -> Any:
        """`x.unflatten(axis, sizes)` is `tl.unflatten(x, axis, sizes)`: `axis`
        split into the axes of `sizes`, the inverse of `flatten`."""
        return _function("unflatten")(self, axis, sizes)

    def pad(self, widths: Any, **options: Any) -> Any:
        """`x.pad(widths)` is `tl.pad(x, widths)`: each axis of `widths` padded."""
        return _function("pad")(self, widths, **options)

    def sort(self, axis: str, *, descending: bool = False) -> Any:
        """`x.sort(axis)` is `tl.sort(x, axis)`: the values of `axis` in order."""
        return _function("sort")(self, axis, descending=descending)

    def top_k(self, axis: str, k: Any, *, into: str | None = None) -> Any:
        """`x.top_k(axis, k)` is `tl.top_k(x, axis, k)`: the `k` largest values of
        `axis` and their positions."""
        return _function("top_k")(self, axis, k, into=into)

    def roll(self, axis: str, shift: Any) -> Any:
        """`x.roll(axis, shift)` is `tl.roll(x, axis, shift)`: `axis` shifted cyclically."""
        return _function("roll")(self, axis, shift)

    def flip(self, axes: Any) -> Any:
        """`x.flip(axes)` is `tl.flip(x, axes)`: each axis of `axes` reversed."""
        return _function("flip")(self, axes)

    def broadcast_to(self, sizes: Any) -> Any:
        """`x.broadcast_to(sizes)` is `tl.broadcast_to(x, sizes)`: the axes of
        `sizes` that `x` lacks added, `x` repeated along them."""
        return _function("broadcast_to")(self, sizes)

    def tile(self, axis: str, times: Any) -> Any:
        """`x.tile(axis, times)` is `tl.tile(x, axis, times)`: `axis` repeated whole
        `times` times."""
        return _function("tile")(self, axis, times)
