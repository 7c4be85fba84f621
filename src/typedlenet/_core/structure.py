"""Operations that change which positions a tensor has, by name: padding,
concatenation, stacking, splitting, gathering (`take`), a named range, casts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.core import Tracer

from . import errors
from .annotations import Integer, Shaped
from .call_checks import typechecked
from .named import NamedArray, method_of_named_array
from .nmap import nmap, untag
from .ranges import check_range, check_traced, ranged
from .sizes import Size, as_names, clash, divides, equal, fmt, holds, size

__all__ = ["arange", "astype", "concatenate", "pad", "split", "stack", "take"]

PadMode = Literal["constant", "edge", "reflect"]


def _width(value: Any, axis: str) -> tuple[Any, Any]:
    pair = (value, value) if not isinstance(value, (tuple, list)) else tuple(value)
    if len(pair) != 2:
        raise TypeError(f"pad: the width of axis `{axis}` must be a size or a pair, got {value!r}")
    return tuple(size(v, op="pad", argument=f"widths[{axis!r}]", minimum=0) for v in pair)  # type: ignore[return-value]


@typechecked
def pad(
    x: Shaped[NamedArray, "..."],
    widths: Mapping[str, Any],
    *,
    mode: PadMode = "constant",
    value: Any = 0,
) -> Shaped[NamedArray, "..."]:
    """`x` with positions added before and after the axes of `widths`.

    `widths` maps an axis name to a size `p` (as many on each side) or a pair
    `(before, after)`. `mode="constant"` fills with `value`; `"edge"` repeats the
    border element; `"reflect"` mirrors the axis about its border element
    (numpy's modes). An axis of size `n` becomes `before + n + after`:
    `pad(x, {"time": (2, 0)})[time=i] = x[time=i-2]` for `i >= 2`, else `value`.

    Examples:
        >>> tl.pad(tl.named(jnp.ones(3), "time"), {"time": (2, 0)}).data
        Array([0., 0., 1., 1., 1.], dtype=float32)
    """
    if not widths:
        return x
    pads = [(0, 0)] * x.ndim
    for axis, w in widths.items():
        pads[x.position(axis, op="pad", argument="x")] = _width(w, axis)
    if mode == "constant":
        config = [(lo, hi, 0) for lo, hi in pads]
        return NamedArray(lax.pad(x.data, jnp.asarray(value, x.dtype), config), x.names)
    for axis, n in x.sizes.items():
        if mode == "edge" and axis in widths and n == 0:
            raise errors.bad_size(
                "pad",
                axis,
                argument="mode",
                expected=">= 1",
                actual=0,
                problem=f"axis `{axis}` has no positions, so it has no edge to repeat",
            )
        if mode == "reflect" and axis in widths and not isinstance(n, int):
            # JAX reflects a symbolic axis only when each width is smaller than it.
            for w in pads[x.names.index(axis)]:
                claim = f"{fmt(n)} >= {fmt(w + 1)}"
                if not holds(
                    lambda n=n, w=w: n >= w + 1,
                    claim,
                    op="pad",
                    argument="widths",
                    axis=axis,
                    sizes=(n, w),
                ):
                    raise errors.bad_size(
                        "pad",
                        axis,
                        argument="widths",
                        expected=f">= {fmt(w + 1)}",
                        actual=n,
                        problem=f"reflecting axis `{axis}` (={n}) by {w} needs more than {w} "
                        "positions",
                    )
    if mode == "reflect":
        for axis, n in x.sizes.items():
            if axis in widths and not holds(
                lambda n=n: n >= 2,
                f"{fmt(n)} >= 2",
                op="pad",
                argument="widths",
                axis=axis,
                sizes=(n,),
            ):
                raise errors.bad_size(
                    "pad",
                    axis,
                    argument="mode",
                    expected=">= 2",
                    actual=n,
                    problem=f"reflecting needs at least 2 positions, axis `{axis}` has {n}",
                )
    return NamedArray(jnp.pad(x.data, pads, mode=mode), x.names)


def _same_axes(xs: Sequence[NamedArray], op: str, except_axis: str | None) -> None:
    """Every array of `xs` has the axes of the first, with its sizes (but `except_axis`)."""
    if not xs:
        raise errors.bad_argument(op, "xs", [], must="hold at least one NamedArray")
    first = xs[0]
    for i, x in enumerate(xs[1:], 1):
        if not isinstance(x, NamedArray):
            raise TypeError(
                f"{op}: `xs[{i}]` must be a NamedArray, got {type(x).__name__}; name its "
                "axes with `tl.named` first"
            )
        if set(x.names) != set(first.names):
            raise errors.axes_mismatch(
                op,
                argument=f"xs[{i}]",
                expected=first.names,
                actual=x.names,
                problem=f"has the axes {x.names!r}, `xs[0]` has {first.names!r}",
            )
        for axis in first.names:
            if axis != except_axis and x.size_of(axis) != first.size_of(axis):
                raise clash(op, axis, first.size_of(axis), "`xs[0]`", x.size_of(axis), f"`xs[{i}]`")


@typechecked
def concatenate(xs: Sequence[NamedArray], axis: str) -> Shaped[NamedArray, "..."]:
    """The arrays of `xs` one after another along `axis`, which each of them has.

    Their other axes must agree in name and size; `axis` gets the sum of sizes.

    Examples:
        >>> a, b = tl.named(jnp.zeros((2, 3)), "batch seq"), tl.named(jnp.ones((2, 5)), "batch seq")
        >>> tl.concatenate([a, b], "seq")
        f32[batch:2, seq:8]
    """
    for i, x in enumerate(xs):
        if isinstance(x, NamedArray):
            x.position(axis, op="concatenate", argument=f"xs[{i}]")
    _same_axes(xs, "concatenate", axis)
    names = xs[0].names
    datas = [x.align(names).data for x in xs]
    return NamedArray(jnp.concatenate(datas, axis=names.index(axis)), names)


@typechecked
def stack(xs: Sequence[NamedArray], axis: str) -> Shaped[NamedArray, "..."]:
    """The arrays of `xs`, which have the same axes and sizes, along a new `axis`:
    `stack(xs, axis)[axis=i] = xs[i]`.

    Examples:
        >>> x = tl.named(jnp.zeros(3), "features")
        >>> tl.stack([x, x + 1], "layer")
        f32[layer:2, features:3]
    """
    (axis,) = as_names([axis], argument="axis", op="stack")
    _same_axes(xs, "stack", None)
    names = xs[0].names
    if axis in names:
        raise errors.duplicate_axis(
            "stack", axis, argument="axis", detail=f"`{axis}` is already an axis of `xs`"
        )
    return NamedArray(jnp.stack([x.align(names).data for x in xs]), (axis, *names))


@typechecked
def split(
    x: Shaped[NamedArray, "..."], axis: str, sizes: Size | Sequence[Size]
) -> list[NamedArray]:
    """`x` cut along `axis` into consecutive pieces; the inverse of `concatenate`.

    `sizes` is the size of each piece (they must add up to the axis), or a
    number of equal pieces (it must divide the axis).

    Examples:
        >>> x = tl.named(jnp.arange(5.0), "seq")
        >>> tl.split(x, "seq", [2, 3])
        [f32[seq:2], f32[seq:3]]
    """
    pos = x.position(axis, op="split")
    n = x.size_of(axis)
    if isinstance(sizes, Sequence):
        parts = [size(s, op="split", argument="sizes") for s in sizes]
        if not parts:
            raise errors.bad_argument("split", "sizes", [], must="give at least one size")
        total = sum(parts[1:], parts[0])
        if not equal(total, n, op="split", argument="sizes", axis=axis):
            raise errors.bad_size(
                "split",
                axis,
                argument="sizes",
                expected=n,
                actual=total,
                problem=f"the sizes {list(parts)} add up to {total}, not to the size of "
                f"axis `{axis}` (={n})",
            )
    else:
        k = size(sizes, op="split", argument="sizes")
        if not divides(k, n, op="split", argument="sizes", axis=axis):
            raise errors.bad_size(
                "split",
                axis,
                argument="sizes",
                expected=f"a multiple of {k}",
                actual=n,
                problem=f"{k} equal pieces do not divide axis `{axis}` (={n})",
            )
        parts = [n // k] * k
    out, start = [], 0
    for part in parts:
        out.append(NamedArray(lax.slice_in_dim(x.data, start, start + part, axis=pos), x.names))
        start = start + part
    return out


def _check_indices(indices: NamedArray, n: Any, axis: str) -> None:
    """Concrete indices must lie in `[-n, n)`; traced ones cannot be checked."""
    if isinstance(indices.data, Tracer) or not isinstance(n, int):
        return
    values = np.asarray(indices.data)
    if values.size and (values.min() < -n or values.max() >= n):
        bad = values[(values < -n) | (values >= n)].flat[0]
        raise errors.out_of_range("take", axis, int(bad), n, argument="indices")


@typechecked
def take(
    x: Shaped[NamedArray, "..."], axis: str, indices: Integer[NamedArray, "..."]
) -> Shaped[NamedArray, "..."]:
    """Gather along `axis`: `take(x, axis, I)[..., J...] = x[axis=I[J...], ...]`.

    The result has `indices`' axes in place of `axis` (an embedding lookup:
    `take(E, "vocab", tokens)` has `tokens`' axes and `E`'s `embed`). An axis
    that `x` and `indices` share is matched by name, not crossed. The cost is
    one gather, O(size of the result); `x[{"vocab": tokens}]` is the same.

    Concrete indices are checked to lie in range (negative ones count from the
    end). Indices that know their range (made by `arange`, `argmax`, ...; see
    `index_range`) are checked against the axis for concrete and symbolic sizes,
    also under `jax.jit` and `jax.eval_shape`. Other traced indices cannot be
    checked while tracing, and an index out of range gives NaN for a floating `x`
    (the fill of `jnp.take`); `checked_indices(fn)` turns that into an error.

    Examples:
        >>> E = tl.named(jnp.arange(12.0).reshape(4, 3), "vocab embed")
        >>> tokens = tl.named(jnp.array([[3, 0]]), "batch seq")
        >>> tl.take(E, "vocab", tokens)
        f32[batch:1, seq:2, embed:3]
    """
    pos = x.position(axis, op="take")
    if axis in indices.names:
        raise errors.unexpected_axis(
            "take", (axis,), argument="indices", detail="which it would index; rename it first"
        )
    check_range(indices, x.size_of(axis), axis, "take")  # the same answer for any data
    _check_indices(indices, x.size_of(axis), axis)
    if isinstance(indices.data, Tracer):
        check_traced(indices.data, x.size_of(axis), axis, "take")
    shared = [n for n in indices.names if n in x.names]
    if not shared:
        data = jnp.take(x.data, indices.data, axis=pos, mode="fill")
        return NamedArray(data, (*x.names[:pos], *indices.names, *x.names[pos + 1 :]))
    for name in shared:
        if x.size_of(name) != indices.size_of(name):
            raise clash("take", name, x.size_of(name), "`x`", indices.size_of(name), "`indices`")
    rest = tuple(n for n in x.names if n != axis)
    names = (*rest, *(n for n in indices.names if n not in rest))
    sizes = {**x.sizes, **indices.sizes}
    if any(sizes[n] == 0 for n in names) or x.size_of(axis) == 0:  # nothing to gather
        return NamedArray(jnp.zeros([sizes[n] for n in names], x.dtype), names)
    gather = nmap(lambda v, i: jnp.take(v, i, axis=0, mode="fill"))
    return gather(untag(x, axis), indices)


@typechecked
def arange(axis: str, n: Size, dtype: Any = jnp.int32) -> Shaped[NamedArray, "..."]:
    """The positions `0, 1, …, n-1` along one axis: `arange(axis, n)[axis=i] = i`.

    Examples:
        >>> tl.arange("seq", 4).data
        Array([0, 1, 2, 3], dtype=int32)
    """
    (axis,) = as_names([axis], argument="axis", op="arange")
    n = size(n, op="arange", argument="n")
    return ranged(
        NamedArray(lax.iota(dtype, n), (axis,)),
        n,
        f"arange over {axis}:{fmt(n, grouped=False)}",
        axis,
    )


@typechecked
def astype(x: Shaped[NamedArray, "..."], dtype: Any) -> Shaped[NamedArray, "..."]:
    """`x` with its elements converted to `dtype`; the axes are unchanged."""
    return NamedArray(x.data.astype(dtype), x.names)


method_of_named_array("take")(take)
