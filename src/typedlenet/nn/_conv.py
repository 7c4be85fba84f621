"""`Conv`, `MaxPool`, `AvgPool` over any named spatial axes, with stride, padding,
dilation and (for `Conv`) groups.

Each has the notation's literal path (`impl="reference"`: pad, unfold the
windows, contract or reduce over them, as the seed writes `conv2d` and
`maxpool2d`) and a lowering to XLA's `conv_general_dilated` / `reduce_window`
(`impl="fast"`, the default), tested equal in values and gradients.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .._core import errors, ops
from .._core.named import NamedArray
from .._core.sizes import as_names, fmt, holds
from .._core.structure import pad
from ._checks import expect_axes, free, per_axis, primed
from ._init import init, parse

__all__ = ["AvgPool", "Conv", "MaxPool", "window_name"]

Padding = str | int | tuple[int, int] | Any
_GROUP = "\0group"
_REST = "\0n"


def window_name(axis: str) -> str:
    """The window axis of a spatial axis: the seed's `kh`, `kw` for `height`,
    `width`; `k_<axis>` otherwise (`k_time`)."""
    return {"height": "kh", "width": "kw"}.get(axis, f"k_{axis}")


def _positive(values: tuple[Any, ...], op: str, argument: str) -> tuple[int, ...]:
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise errors.bad_argument(op, argument, values, must="be positive integers")
    return tuple(values)


def _padding(padding: Padding, axes: tuple[str, ...], op: str) -> str | tuple[tuple[int, int], ...]:
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise errors.bad_argument(
                op,
                "padding",
                padding,
                must="be 'valid', 'same', a size, a pair or one of those per axis",
            )
        return padding
    if len(axes) == 1 and isinstance(padding, (tuple, list)) and len(padding) == 2:
        padding = [padding]  # one axis: a pair is its (before, after)
    pairs = []
    for p in per_axis(padding, axes, op, "padding"):
        pair = (p, p) if isinstance(p, int) else tuple(p)
        if len(pair) != 2 or any(
            isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in pair
        ):
            raise errors.bad_argument(
                op, "padding", must="hold sizes or (before, after) pairs", detail=f"one is {p!r}"
            )
        pairs.append(pair)
    return tuple(pairs)  # type: ignore[return-value]


def _resolve(
    padding: str | tuple[tuple[int, int], ...],
    sizes: tuple[int, ...],
    spans: tuple[int, ...],
    strides: tuple[int, ...],
) -> tuple[tuple[int, int], ...]:
    """Explicit (before, after) pairs; `"same"` gives `ceil(n / stride)` positions."""
    if padding == "valid":
        return tuple((0, 0) for _ in sizes)
    if padding == "same":
        out = []
        for n, span, s in zip(sizes, spans, strides):
            total = max((-(-n // s) - 1) * s + span - n, 0)
            out.append((total // 2, total - total // 2))
        return tuple(out)
    return padding  # type: ignore[return-value]


def _merge_rest(x: NamedArray, keep: tuple[str, ...]) -> tuple[jax.Array, list[str]]:
    """`x`'s data as `(n, *keep)`, `n` gathering every other axis (in storage order)."""
    rest = [n for n in x.names if n not in keep]
    data = x.align((*rest, *keep)).data
    shape = [x.size_of(n) for n in rest]
    return jnp.reshape(data, (math.prod(shape), *data.shape[len(rest) :])), rest


def _split_rest(y: jax.Array, rest: list[str], x: NamedArray, names: tuple[str, ...]) -> NamedArray:
    shape = [x.size_of(n) for n in rest]
    return NamedArray(jnp.reshape(y, (*shape, *y.shape[1:])), (*rest, *names))


class Conv(eqx.Module):
    """`Conv(x) = W ·_{channels, windows} U + b`, `U` the (padded, strided, dilated)
    windows of `x` along its named `spatial` axes.

    `Conv("height width", "channels:3", "channels:16", kernel=3, stride=2,
    padding="same", key=key)`; `Conv("time", "embed:64", "embed:64", kernel=5,
    groups=64, key=key)` for a depthwise 1-D convolution. `kernel`, `stride`,
    `dilation` and `padding` take one value for all spatial axes, a sequence in
    their order, or a mapping by name. `padding`: `"valid"`, `"same"` (`ceil(n /
    stride)` positions), a size for both sides, or per axis (a sequence in the
    spatial axes' order, or a mapping) a size or a `(before, after)` pair; with
    one spatial axis a pair alone is that axis's `(before, after)`. `W` has the axes
    `out` (primed when it shares the input channels' name), `inp` (its size over
    `groups`) and one window axis per spatial axis (`kh`, `kw`, `k_time`, ...).

    Examples:
        >>> key = jax.random.PRNGKey(0)
        >>> conv = tl.nn.Conv("height width", "channels:1", "channels:4", 3, key=key)
        >>> conv.W
        f32[channels':4, channels:1, kh:3, kw:3]
        >>> conv(tl.named(jnp.ones((2, 1, 6, 6)), "batch channels height width"))
        f32[batch:2, channels:4, height:4, width:4]
    """

    W: NamedArray
    b: NamedArray | None
    spatial: tuple[str, ...] = eqx.field(static=True)
    inp: tuple[str, int] = eqx.field(static=True)
    out: tuple[str, int] = eqx.field(static=True)
    kernel: tuple[int, ...] = eqx.field(static=True)
    stride: tuple[int, ...] = eqx.field(static=True)
    dilation: tuple[int, ...] = eqx.field(static=True)
    padding: Any = eqx.field(static=True)
    groups: int = eqx.field(static=True)
    impl: str = eqx.field(static=True)

    def __init__(
        self,
        spatial: str,
        inp: str,
        out: str,
        kernel: Any,
        *,
        key: jax.Array,
        stride: Any = 1,
        padding: Padding = "valid",
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        impl: Literal["fast", "reference"] = "fast",
    ) -> None:
        op = "Conv"
        self.spatial = as_names(spatial, argument="spatial", op=op)
        ((ci, cin),) = parse(inp, op=op).items()
        ((co, cout),) = parse(out, op=op).items()
        self.inp, self.out = (ci, cin), (co, cout)
        self.kernel = _positive(per_axis(kernel, self.spatial, op, "kernel"), op, "kernel")
        self.stride = _positive(per_axis(stride, self.spatial, op, "stride"), op, "stride")
        self.dilation = _positive(per_axis(dilation, self.spatial, op, "dilation"), op, "dilation")
        self.padding = _padding(padding, self.spatial, op)
        if groups < 1 or cin % groups or cout % groups:
            raise errors.bad_argument(
                op, "groups", groups, must=f"divide the input ({cin}) and output ({cout}) channels"
            )
        self.groups = groups
        if impl not in ("fast", "reference"):
            raise errors.bad_argument(op, "impl", impl, must="be 'fast' or 'reference'")
        self.impl = impl
        (w_out,) = primed((co,), (ci,))
        windows = " ".join(f"{window_name(a)}:{k}" for a, k in zip(self.spatial, self.kernel))
        k1, k2 = jax.random.split(key)
        fan_in = f"{ci} {' '.join(window_name(a) for a in self.spatial)}"
        self.W = init(k1, f"{w_out}:{cout} {ci}:{cin // groups} {windows}", fan_in=fan_in)
        scale = (cin // groups * math.prod(self.kernel)) ** -0.5
        self.b = init(k2, out, scale=scale) if bias else None

    @property
    def windows(self) -> tuple[str, ...]:
        """The names of the window axes of `W`, one per spatial axis (`kh`, `kw`)."""
        return tuple(window_name(a) for a in self.spatial)

    def __call__(self, x: NamedArray) -> NamedArray:
        """The convolution of `x`, which has the input channels and the spatial axes;
        its other axes (`batch`) are kept, the channels become the output's.

        Raises:
            AxisError: an axis is missing or of another size, or a window is larger
                than its (padded) axis.
        """
        (ci, cin), (co, _) = self.inp, self.out
        expect_axes(x, {ci: cin}, "Conv")
        for axis in self.spatial:
            x.position(axis, op="Conv")
        free(x, self.windows, "Conv", "which the windows would create")
        free(x, (co,) if co != ci else (), "Conv", "which it would create")
        spans = tuple((k - 1) * d + 1 for k, d in zip(self.kernel, self.dilation))
        sizes = tuple(x.size_of(a) for a in self.spatial)
        pads = _resolve(self.padding, sizes, spans, self.stride)
        for axis, n, span, (lo, hi) in zip(self.spatial, sizes, spans, pads):
            claim = f"{fmt(n + lo + hi)} >= {span}"
            padded = n + lo + hi
            if not holds(
                lambda n=padded, k=span: n >= k,
                claim,
                op="Conv",
                argument="x",
                axis=axis,
                sizes=(padded, span),
            ):
                raise errors.bad_size(
                    "Conv",
                    axis,
                    argument="x",
                    expected=f">= {span}",
                    actual=padded,
                    problem=f"the kernel spans {span} positions of `{axis}`, which has {n} "
                    f"(padded: {padded})",
                )
        concrete = all(isinstance(p, int) for pair in pads for p in pair)
        concrete = concrete and all(isinstance(n, int) for n in sizes)
        fast = self.impl == "fast" and concrete  # XLA's convolution needs concrete padding
        y = self._fast(x, pads) if fast else self._reference(x, pads)
        return y if self.b is None else y + self.b

    def _reference(self, x: NamedArray, pads: tuple[tuple[int, int], ...]) -> NamedArray:
        (ci, cin), (co, cout) = self.inp, self.out
        (w_out,) = primed((co,), (ci,))
        U = pad(x, dict(zip(self.spatial, pads)))
        for axis, window, k, s, d in zip(
            self.spatial, self.windows, self.kernel, self.stride, self.dilation
        ):
            U = ops.unfold(U, axis, window, (k - 1) * d + 1, stride=s)
            if d > 1:
                U = U[{window: slice(0, None, d)}]
        W, g = self.W, self.groups
        if g > 1:
            U = ops.unflatten(U, ci, {_GROUP: g, ci: cin // g})
            W = ops.unflatten(W, w_out, {_GROUP: g, w_out: cout // g})
        y = ops.dot(W, U, (ci, *self.windows))
        if g > 1:
            y = ops.flatten(y, (_GROUP, w_out), w_out)
        return ops.rename(y, {w_out: co}) if w_out != co else y

    def _fast(self, x: NamedArray, pads: tuple[tuple[int, int], ...]) -> NamedArray:
        (ci, _), (co, _) = self.inp, self.out
        (w_out,) = primed((co,), (ci,))
        data, rest = _merge_rest(x, (ci, *self.spatial))
        w = self.W.align((w_out, ci, *self.windows)).data
        dtype = jnp.promote_types(data.dtype, w.dtype)
        y = lax.conv_general_dilated(
            data.astype(dtype),
            w.astype(dtype),
            window_strides=self.stride,
            padding=pads,
            rhs_dilation=self.dilation,
            feature_group_count=self.groups,
        )
        return _split_rest(y, rest, x, (co, *self.spatial))


class _Pool(eqx.Module):
    spatial: tuple[str, ...] = eqx.field(static=True)
    window: tuple[int, ...] = eqx.field(static=True)
    stride: tuple[int, ...] = eqx.field(static=True)
    padding: Any = eqx.field(static=True)
    impl: str = eqx.field(static=True)

    def __init__(
        self,
        spatial: str,
        window: Any,
        *,
        stride: Any = None,
        padding: Padding = "valid",
        impl: Literal["fast", "reference"] = "fast",
    ) -> None:
        op = type(self).__name__
        self.spatial = as_names(spatial, argument="spatial", op=op)
        self.window = _positive(per_axis(window, self.spatial, op, "window"), op, "window")
        stride = self.window if stride is None else per_axis(stride, self.spatial, op, "stride")
        self.stride = _positive(tuple(stride), op, "stride")
        self.padding = _padding(padding, self.spatial, op)
        if impl not in ("fast", "reference"):
            raise errors.bad_argument(op, "impl", impl, must="be 'fast' or 'reference'")
        self.impl = impl

    def _pool(self, x: NamedArray, fill: Any, reduce: str) -> NamedArray:
        op = type(self).__name__
        for axis in self.spatial:
            x.position(axis, op=op)
        windows = tuple(window_name(a) for a in self.spatial)
        free(x, windows, op, "which the windows would create")
        sizes = tuple(x.size_of(a) for a in self.spatial)
        pads = _resolve(self.padding, sizes, self.window, self.stride)
        for axis, n, k, (lo, hi) in zip(self.spatial, sizes, self.window, pads):
            claim = f"{fmt(n + lo + hi)} >= {k}"
            padded = n + lo + hi
            if not holds(
                lambda n=padded, k=k: n >= k,
                claim,
                op=op,
                argument="x",
                axis=axis,
                sizes=(padded, k),
            ):
                raise errors.bad_size(
                    op,
                    axis,
                    argument="x",
                    expected=f">= {k}",
                    actual=padded,
                    problem=f"the window spans {k} positions of `{axis}`, which has {n}",
                )
        if self.impl == "reference":
            U = pad(x, dict(zip(self.spatial, pads)), value=fill)
            for axis, window, k, s in zip(self.spatial, windows, self.window, self.stride):
                U = ops.unfold(U, axis, window, k, stride=s)
            return ops.max(U, windows) if reduce == "max" else ops.mean(U, windows)
        dims = [1] * x.ndim
        strides = [1] * x.ndim
        padding = [(0, 0)] * x.ndim
        for axis, k, s, p in zip(self.spatial, self.window, self.stride, pads):
            i = x.names.index(axis)
            dims[i], strides[i], padding[i] = k, s, p
        init = np.asarray(
            fill, x.dtype
        )  # a constant: a traced one makes reduce_window not differentiable
        if reduce == "max":
            y = lax.reduce_window(x.data, init, lax.max, dims, strides, padding)
        else:
            y = lax.reduce_window(x.data, init, lax.add, dims, strides, padding)
            y = y / math.prod(self.window)
        return NamedArray(y, x.names)


class MaxPool(_Pool):
    """`MaxPool(x) = max_{windows} U`, `U` the windows of `x` (padded with -∞)
    along its named `spatial` axes; `stride` defaults to the window.

    Examples:
        >>> pool = tl.nn.MaxPool("height width", 2)
        >>> pool(tl.named(jnp.ones((2, 6, 6)), "batch height width"))
        f32[batch:2, height:3, width:3]
    """

    __init__ = _Pool.__init__

    def __call__(self, x: NamedArray) -> NamedArray:
        """The maximum of each window of `x` along the spatial axes; other axes are kept."""
        return self._pool(x, -jnp.inf, "max")


class AvgPool(_Pool):
    """`AvgPool(x) = mean_{windows} U`, `U` the windows of `x` (padded with 0, which
    count in the mean) along its named `spatial` axes.

    Examples:
        >>> pool = tl.nn.AvgPool("time", 2)
        >>> pool(tl.named(jnp.arange(4.0), "time")).data
        Array([0.5, 2.5], dtype=float32)
    """

    __init__ = _Pool.__init__

    def __call__(self, x: NamedArray) -> NamedArray:
        """The mean of each window of `x` along the spatial axes; other axes are kept."""
        return self._pool(x, 0.0, "mean")
