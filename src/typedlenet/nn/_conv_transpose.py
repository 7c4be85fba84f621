"""`ConvTranspose`: the adjoint of `Conv` over any named spatial axes, the layer
that upsamples (a U-Net's decoder, a generator)."""

from __future__ import annotations

import math
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jax import lax

from .._core import errors
from .._core.named import NamedArray
from .._core.sizes import as_names, fmt, holds
from ._checks import expect_axes, free, per_axis, primed
from ._conv import Padding, _merge_rest, _padding, _positive, _split_rest, window_name
from ._init import init, parse

__all__ = ["ConvTranspose"]


class ConvTranspose(eqx.Module):
    """`ConvTranspose(x)_{out,p} = Σ_{inp,k,q: p = q·s + k·d - lo} W_{inp,out,k} x_{inp,q} + b`:
    each input position spreads its kernel over the output, `stride` positions
    apart. It is the adjoint of `Conv(spatial, out, inp, kernel, stride, padding,
    dilation)` with the same weights: `<Conv(y), x> = <y, ConvTranspose(x)>`.

    `ConvTranspose("height width", "channels:64", "channels:32", 2, stride=2,
    key=key)` doubles `height` and `width`. An axis of `n` positions becomes
    `(n - 1)·stride + span - lo - hi + output_padding`, `span = (kernel - 1)·dilation
    + 1` and `(lo, hi)` the padding (`"valid"`: none; `"same"`: `n·stride`
    positions; a size, a pair, or per axis, as `Conv`'s). `W` has the axes `inp`,
    `out` (primed when it shares the input's name) and one window axis per spatial
    axis (`kh`, `kw`, `k_time`, ...).

    Examples:
        >>> up = nn.ConvTranspose("height width", "channels:4", "channels:2", 2, stride=2,
        ...                       key=jax.random.PRNGKey(0))
        >>> up(tl.named(jnp.ones((1, 4, 7, 7)), "batch channels height width"))
        f32[batch:1, channels:2, height:14, width:14]
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
    output_padding: tuple[int, ...] = eqx.field(static=True)

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
        output_padding: Any = 0,
        dilation: Any = 1,
        bias: bool = True,
    ) -> None:
        op = "ConvTranspose"
        self.spatial = as_names(spatial, argument="spatial", op=op)
        ((ci, cin),) = parse(inp, op=op).items()
        ((co, cout),) = parse(out, op=op).items()
        self.inp, self.out = (ci, cin), (co, cout)
        self.kernel = _positive(per_axis(kernel, self.spatial, op, "kernel"), op, "kernel")
        self.stride = _positive(per_axis(stride, self.spatial, op, "stride"), op, "stride")
        self.dilation = _positive(per_axis(dilation, self.spatial, op, "dilation"), op, "dilation")
        self.padding = _padding(padding, self.spatial, op)
        extra = tuple(per_axis(output_padding, self.spatial, op, "output_padding"))
        for e, s in zip(extra, self.stride):
            if isinstance(e, bool) or not isinstance(e, int) or not 0 <= e < s:
                raise errors.bad_argument(
                    op,
                    "output_padding",
                    output_padding,
                    must="be in [0, stride) on each axis",
                    expected=f"in [0, {s})",
                )
        self.output_padding = extra
        (w_out,) = primed((co,), (ci,))
        windows = " ".join(f"{window_name(a)}:{k}" for a, k in zip(self.spatial, self.kernel))
        k1, k2 = jax.random.split(key)
        # Each output position gathers about cin·prod(kernel)/prod(stride) terms.
        fan = max(cin * math.prod(self.kernel) // math.prod(self.stride), 1)
        self.W = init(k1, f"{ci}:{cin} {w_out}:{cout} {windows}", scale=fan**-0.5)
        self.b = init(k2, out, scale=fan**-0.5) if bias else None

    @property
    def windows(self) -> tuple[str, ...]:
        """The window axes of `W`, one per spatial axis."""
        return tuple(window_name(a) for a in self.spatial)

    def _pads(self) -> tuple[tuple[int, int, int], ...]:
        """Per axis: the padding `(lo, hi)` of the matching `Conv` and the extra
        positions at the end."""
        out = []
        for i, (k, s, d) in enumerate(zip(self.kernel, self.stride, self.dilation)):
            span = (k - 1) * d + 1
            extra = self.output_padding[i]
            if self.padding == "valid":
                lo = hi = 0
            elif self.padding == "same":  # Conv's "same" on n·stride positions
                total = max(span - s, 0)
                lo, hi = total // 2, total - total // 2
                extra = max(s - span, 0)
            else:
                lo, hi = self.padding[i]
            out.append((lo, hi, extra))
        return tuple(out)

    def __call__(self, x: NamedArray) -> NamedArray:
        """The transposed convolution of `x` along the spatial axes; every other
        axis of `x` is lifted, `inp` becomes `out`."""
        op = "ConvTranspose"
        (ci, cin), (co, _) = self.inp, self.out
        expect_axes(x, {ci: cin}, op)
        for axis in self.spatial:
            x.position(axis, op=op)
        free(x, (co,) if co != ci else (), op, "which it would create")
        (w_out,) = primed((co,), (ci,))
        data, rest = _merge_rest(x, (ci, *self.spatial))
        # The adjoint as one convolution: the input dilated by the stride, the
        # kernel flipped, its channel axes swapped, padded by span - 1 - lo.
        w = self.W.align((w_out, ci, *self.windows)).data
        w = jnp.flip(w, axis=tuple(range(2, w.ndim)))
        padding = []
        for axis, (lo, hi, extra), k, s, d in zip(
            self.spatial, self._pads(), self.kernel, self.stride, self.dilation
        ):
            span = (k - 1) * d + 1
            n = x.size_of(axis)
            size = (n - 1) * s + span - lo - hi + extra
            if not holds(
                lambda size=size: size >= 1,
                f"{fmt(size)} >= 1",
                op=op,
                argument="x",
                axis=axis,
                sizes=(size,),
            ):
                raise errors.bad_size(
                    op,
                    axis,
                    argument="x",
                    expected=f">= {1 + max(-(-(lo + hi + 1 - span - extra) // s), 0)}",
                    actual=n,
                    problem=f"`{axis}` has {fmt(n)} positions, which would become {fmt(size)}: "
                    f"the padding ({lo}, {hi}) removes more than the kernel and stride add",
                )
            padding.append((span - 1 - lo, span - 1 - hi + extra))
        dtype = jnp.promote_types(data.dtype, w.dtype)
        y = lax.conv_general_dilated(
            data.astype(dtype),
            w.astype(dtype),
            window_strides=(1,) * len(self.spatial),
            padding=padding,
            lhs_dilation=self.stride,
            rhs_dilation=self.dilation,
        )
        y = _split_rest(y, rest, x, (co, *self.spatial))
        return y if self.b is None else y + self.b
