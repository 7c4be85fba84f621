"""The seed's layers: conv2d, maxpool2d and the MLP, as the seed writes them.

`conv2d` and `maxpool2d` each have two implementations with one meaning:

- `impl="reference"`: the seed, literally: the unfold `U` and a contraction
  (`W ·_{channels,kh,kw} U`) or a maximum (`max_{kh,kw} U`);
- `impl="fast"` (the default): a lowering to XLA's convolution and windowed
  maximum, reading the operands in whatever order they are stored.

Both are lifted over every axis the seed does not name (`batch`, `channels'`).
"""

from __future__ import annotations

from typing import Any, Literal

import jax
import jax.numpy as jnp

from .._core import errors, ops
from .._core.annotations import Float
from .._core.call_checks import typechecked
from .._core.constraints import constraints
from .._core.named import NamedArray
from .._core.sizes import Size, clash, divides, fmt, holds, size
from ._lowering import conv2d_chwn, max_pool

__all__ = ["conv2d", "maxpool2d", "mlp"]

Impl = Literal["fast", "reference"]

_X_AXES = ("channels", "height", "width")
_W_AXES = ("channels", "kh", "kw")


def _check_impl(impl: str, op: str) -> None:
    if impl not in ("fast", "reference"):
        raise errors.bad_argument(op, "impl", impl, must="be 'fast' or 'reference'")


def _refuse(x: NamedArray, axes: tuple[str, ...], op: str, argument: str, why: str) -> None:
    """`x` has none of `axes`, which the result would get twice (`why` says how)."""
    for axis in axes:
        if axis in x.names:
            raise errors.duplicate_axis(
                op, axis, argument=argument, detail=f"`{argument}` has an axis `{axis}`, {why}"
            )


def _larger(k: Any, n: Any, window: str, axis: str) -> bool:
    """`k > n`; for symbolic sizes, an `AxisError` when JAX cannot decide it."""
    try:
        return bool(k > n)
    except jax.errors.InconclusiveDimensionOperation:
        raise errors.undecidable(
            "conv2d",
            f"`{window}` (={k}) fits in `{axis}` (={n})",
            f"{n} >= {k}",
            argument="W",
            axis=window,
            sizes=(k, n),
        ) from None


def _to_one(x: NamedArray, keep: tuple[str, ...], name: str) -> tuple[NamedArray, list[str]]:
    """`x` with all axes but `keep` merged into one axis `name` (added if none)."""
    extra = [n for n in x.names if n not in keep]
    if len(extra) == 1:
        return ops.rename(x, {extra[0]: name}), extra
    if not extra:
        return NamedArray(jnp.expand_dims(x.data, 0), (name, *x.names)), extra
    return ops.flatten(x, extra, name), extra


def _from_one(y: NamedArray, name: str, extra: list[str], sizes: dict[str, int]) -> NamedArray:
    """Undo `_to_one`: axis `name` back into the axes `extra`."""
    if len(extra) == 1:
        return ops.rename(y, {name: extra[0]})
    if not extra:
        return y[{name: 0}]
    return ops.unflatten(y, name, {n: sizes[n] for n in extra})


def _conv_fast(X: NamedArray, W: NamedArray) -> NamedArray:
    """`X` as `(channels, height, width, n)`, `W` as `(o, channels, kh, kw)`, one
    matmul (`conv2d_chwn`), batch innermost; `n` and `o` gather the lifted axes."""
    Xn, x_extra = _to_one(X, _X_AXES, "\0n")
    Wn, w_extra = _to_one(W, _W_AXES, "\0o")
    dtype = jnp.promote_types(X.dtype, W.dtype)
    x = Xn.align(("channels", "height", "width", "\0n")).data.astype(dtype)
    w = Wn.align(("\0o", "channels", "kh", "kw")).data.astype(dtype)
    y = NamedArray(conv2d_chwn(x, w), ("\0o", "height", "width", "\0n"))
    y = _from_one(y, "\0n", x_extra, X.sizes)
    return _from_one(y, "\0o", w_extra, W.sizes)


def _conv_reference(X: NamedArray, W: NamedArray) -> NamedArray:
    U = ops.unfold(X, "height", "kh", W.sizes["kh"])
    U = ops.unfold(U, "width", "kw", W.sizes["kw"])
    return ops.dot(W, U, "channels kh kw")


@constraints("h >= kh", "w >= kw")
@typechecked
def conv2d(
    X: Float[NamedArray, "... channels:c height:h width:w"],
    W: Float[NamedArray, "... channels:c kh kw"],
    b: Float[NamedArray, "..."] | None = None,
    *,
    impl: Impl = "fast",
) -> Float[NamedArray, "... height:h-kh+1 width:w-kw+1"]:
    """`conv2d(X; W, b) = W ·_{channels,kh,kw} U + b`, `U` the unfold of `X`.

    `U[height=i, width=j, kh=di, kw=dj] = X[height=i+di, width=j+dj]`. Axes of
    `X` other than `channels, height, width` (`batch`) and of `W` other than
    `channels, kh, kw` (`channels'`) are kept. `b` broadcasts by name onto the
    result: a bias per position (`height, width`), per output channel
    (`channels'`), or none; it may not bring axes of its own.

    Args:
        X: the input, with axes `channels`, `height`, `width` (and any others).
        W: the kernel, with axes `channels`, `kh`, `kw` (and any others).
        b: an optional bias, broadcast by name onto the result.
        impl: `"fast"` (one matmul) or `"reference"` (the seed's unfold and
            contraction, literally); tested equal.

    Returns:
        `height` shrunk to `h - kh + 1`, `width` to `w - kw + 1`; `channels`,
        `kh`, `kw` contracted.

    Raises:
        AxisError: an axis is missing, sizes disagree, or the kernel is larger
            than the image.

    Examples:
        >>> X = tl.named(jnp.ones((2, 1, 6, 6)), "batch channels height width")
        >>> W = tl.named(jnp.ones((4, 1, 3, 3)), "channels' channels kh kw")
        >>> tl.nn.conv2d(X, W)
        f32[channels':4, height:4, width:4, batch:2]
    """
    _check_impl(impl, "conv2d")
    _refuse(X, ("kh", "kw"), "conv2d", "X", "which the unfold would create")
    _refuse(W, ("height", "width"), "conv2d", "W", "which the result would take from `X`")
    for axis in X.names:
        if W.sizes.get(axis, X.sizes[axis]) != X.sizes[axis]:
            raise clash("conv2d", axis, X.sizes[axis], "`X`", W.sizes[axis], "`W`", argument="W")
    for axis, window in (("height", "kh"), ("width", "kw")):
        if W.sizes[window] == 0:
            raise errors.bad_size(
                "conv2d",
                window,
                argument="W",
                expected=">= 1",
                actual=0,
                problem=f"`W` has no positions along `{window}`; a kernel needs at least one",
            )
        if _larger(W.sizes[window], X.sizes[axis], window, axis):
            raise errors.bad_size(
                "conv2d",
                window,
                argument="W",
                expected=f"at most {X.sizes[axis]}",
                actual=W.sizes[window],
                problem=f"`{window}` (={W.sizes[window]}) is larger than `{axis}` "
                f"(={X.sizes[axis]})",
            )
    shared = [n for n in X.names if n in W.names and n != "channels"]
    symbolic = not all(isinstance(W.sizes[k], int) for k in ("kh", "kw"))
    if impl == "reference" or shared or symbolic:  # the lowering needs concrete kernels
        y = _conv_reference(X, W)
    else:
        y = _conv_fast(X, W)
    if b is None:
        return y
    extra = tuple(n for n in b.names if n not in y.names)
    if extra:
        raise errors.unexpected_axis(
            "conv2d", extra[:1], argument="b", detail="which the result lacks"
        )
    return y + b


@typechecked
def maxpool2d(
    X: Float[NamedArray, "... height:h width:w"],
    kh: Size,
    kw: Size,
    *,
    floor: bool = False,
    impl: Impl = "fast",
) -> Float[NamedArray, "... height width"]:
    """`maxpool2d(X, kh, kw) = max_{kh,kw} U`, non-overlapping `kh × kw` windows.

    `U[height=i, width=j, kh=di, kw=dj] = X[height=i*kh+di, width=j*kw+dj]`, so
    `height: h/kh` and `width: w/kw`. A size that does not divide is an error
    unless `floor=True`, which drops the last rows or columns.

    Args:
        X: the input, with axes `height` and `width` (and any others).
        kh: the window's height.
        kw: the window's width.
        floor: drop the rows and columns left over instead of refusing them.
        impl: `"fast"` or `"reference"` (the seed's unfold and max); tested equal.

    Returns:
        `X` with `height` divided by `kh` and `width` by `kw`.

    Raises:
        AxisError: a window is larger than its axis, or does not divide it (without
            `floor`).

    Examples:
        >>> X = tl.named(jnp.arange(16.0).reshape(4, 4), "height width")
        >>> tl.nn.maxpool2d(X, 2, 2).data
        Array([[ 5.,  7.],
               [13., 15.]], dtype=float32)
    """
    _check_impl(impl, "maxpool2d")
    kh = size(kh, op="maxpool2d", argument="kh")
    kw = size(kw, op="maxpool2d", argument="kw")
    for axis, k, arg in (("height", kh, "kh"), ("width", kw, "kw")):
        n = X.sizes[axis]
        claim = f"{fmt(n)} >= {fmt(k)}"
        if holds(
            lambda k=k, n=n: k > n, claim, op="maxpool2d", argument=arg, axis=axis, sizes=(k, n)
        ):
            raise errors.bad_size(
                "maxpool2d",
                axis,
                argument=arg,
                expected=f">= {k}",
                actual=n,
                problem=f"`{arg}` (={k}) must be between 1 and the size of axis `{axis}` (={n})",
            )
        if not floor and not divides(k, n, op="maxpool2d", argument=arg, axis=axis):
            raise errors.bad_size(
                "maxpool2d",
                axis,
                argument=arg,
                expected=f"a multiple of {k}",
                actual=n,
                problem=f"`{arg}` (={k}) does not divide axis `{axis}` (={n}); the seed's "
                f"`{axis}: {fmt(n)}/{fmt(k)}` is not a size (pass floor=True to drop the last "
                f"{n % k})",
            )
    _refuse(X, ("kh", "kw"), "maxpool2d", "X", "which the unfold would create")
    concrete = all(isinstance(v, int) for v in (kh, kw, X.sizes["height"], X.sizes["width"]))
    if impl == "reference" or not concrete:  # the phases need concrete sizes
        U = ops.unfold(X, "height", "kh", kh, stride=kh)
        U = ops.unfold(U, "width", "kw", kw, stride=kw)
        return ops.max(U, "kh kw")
    out = max_pool(X.data, X.names.index("height"), X.names.index("width"), kh, kw)
    return NamedArray(out, X.names)


@typechecked
def mlp(
    X: Float[NamedArray, "... inp"],
    W1: Float[NamedArray, "inp hidden"],
    b1: Float[NamedArray, " hidden"],
    W2: Float[NamedArray, "... hidden"],
    b2: Float[NamedArray, "..."],
) -> Float[NamedArray, "..."]:
    """`MLP(X) = W2 ·_hidden ReLU(W1 ·_inp X + b1) + b2` (the seed's outer weight is `W2`).

    `W2` may carry further axes (`out`), which the result keeps.

    Args:
        X: the input, with axis `inp`.
        W1: the first weight, axes `inp` and `hidden`.
        b1: the first bias, axis `hidden`.
        W2: the second weight, axis `hidden` (and `out`, say).
        b2: the second bias, broadcast by name.

    Returns:
        `X` with `inp` replaced by the further axes of `W2`.

    Examples:
        >>> X = tl.named(jnp.ones((2, 3)), "batch inp")
        >>> W1, b1 = tl.named(jnp.ones((3, 5)), "inp hidden"), tl.named(jnp.zeros(5), "hidden")
        >>> W2, b2 = tl.named(jnp.ones((5, 4)), "hidden out"), tl.named(jnp.zeros(4), "out")
        >>> tl.nn.mlp(X, W1, b1, W2, b2)
        f32[out:4, batch:2]
    """
    _refuse(X, ("hidden",), "mlp", "X", "which the hidden layer would create")
    hidden = ops.relu(ops.dot(W1, X, "inp") + b1)
    return ops.dot(W2, hidden, "hidden") + b2
