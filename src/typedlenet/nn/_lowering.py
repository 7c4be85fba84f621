"""Positional kernels behind the fast paths of the layers.

A named layer is free to choose how its result is computed and stored; these
functions are the choices, on plain arrays with the axis positions given.
Traced for a compiled step (their input a tracer), they first let
`runtime.tune_allocator_for_step` set glibc malloc for XLA:CPU's scratch
buffers, once per process.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator

import jax
import jax.numpy as jnp
from jax import lax
from jax.core import Tracer

from ..runtime._allocator import tune_allocator_for_step

__all__ = ["CONV_LOWERINGS", "conv2d_chwn", "conv_lowering", "max_pool"]

# How `conv2d_chwn` computes a convolution of several input channels; which is
# faster depends on the CPU (`typedlenet.lenet._tune` measures it). Equal values.
CONV_LOWERINGS = ("phases", "im2col", "xla")
_CONV: contextvars.ContextVar[str] = contextvars.ContextVar("conv_lowering", default="phases")


@contextlib.contextmanager
def conv_lowering(name: str) -> Iterator[None]:
    """`conv2d_chwn` traced inside the block uses lowering `name` (see `CONV_LOWERINGS`)."""
    if name not in CONV_LOWERINGS:
        raise ValueError(f"conv lowering {name!r}: expected one of {CONV_LOWERINGS}")
    token = _CONV.set(name)
    try:
        yield
    finally:
        _CONV.reset(token)


def _compiling(x: jax.Array) -> None:
    """The allocator's once-per-process setting, when `x` is being traced."""
    if isinstance(x, Tracer):
        tune_allocator_for_step()


def _phases(x: jax.Array, hpos: int, wpos: int, kh: int, kw: int) -> list[jax.Array]:
    """The `kh·kw` phases of `x`'s windows: phase `(i, j)` holds, for every window,
    its element at row `i` and column `j` (strided slices; partial windows dropped)."""
    rows, cols = x.shape[hpos] // kh * kh, x.shape[wpos] // kw * kw
    phases = []
    for i in range(kh):
        for j in range(kw):
            start, limit, strides = [0] * x.ndim, list(x.shape), [1] * x.ndim
            start[hpos], limit[hpos], strides[hpos] = i, rows, kh
            start[wpos], limit[wpos], strides[wpos] = j, cols, kw
            phases.append(lax.slice(x, start, limit, strides))
    return phases


def _interleave(
    phases: list[jax.Array], hpos: int, wpos: int, kh: int, kw: int, shape: tuple[int, ...]
) -> jax.Array:
    """Undo `_phases`: the array of `shape` whose phases are `phases` (zero in the
    rows and columns that no whole window covers)."""
    y_shape = phases[0].shape
    stacked = jnp.reshape(jnp.stack(phases, axis=-1), (*y_shape, kh, kw))
    order: list[int] = []
    for axis in range(len(y_shape)):
        order.append(axis)
        if axis == hpos:
            order.append(len(y_shape))
        if axis == wpos:
            order.append(len(y_shape) + 1)
    whole = [n * (kh if a == hpos else kw if a == wpos else 1) for a, n in enumerate(y_shape)]
    x = jnp.reshape(jnp.transpose(stacked, order), whole)
    pad = [(0, n - m, 0) for n, m in zip(shape, x.shape)]
    if any(p[1] for p in pad):
        x = lax.pad(x, jnp.zeros((), x.dtype), pad)
    return x


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2, 3, 4))
def max_pool(x: jax.Array, hpos: int, wpos: int, kh: int, kw: int) -> jax.Array:
    """Non-overlapping `kh × kw` max pooling of axes `hpos`, `wpos` (floor).

    The forward pass is an elementwise maximum of the windows' `kh·kw` phases
    (strided slices), which XLA fuses with the producer of `x`. The backward
    pass routes the gradient to the positions equal to their window's maximum,
    shared equally among ties (as the gradient of `max` over the unfolded
    windows is), instead of XLA's `select_and_scatter`.
    """
    _compiling(x)
    phases = _phases(x, hpos, wpos, kh, kw)
    y = phases[0]
    for phase in phases[1:]:
        y = jnp.maximum(y, phase)
    return y


def _max_pool_fwd(x, hpos, wpos, kh, kw):
    y = max_pool(x, hpos, wpos, kh, kw)
    return y, (x, y)


def _max_pool_bwd(hpos, wpos, kh, kw, residuals, g):
    x, y = residuals
    masks = [phase == y for phase in _phases(x, hpos, wpos, kh, kw)]
    share = g / _add([m.astype(g.dtype) for m in masks])
    zero = jnp.zeros((), g.dtype)
    dx = _interleave([jnp.where(m, share, zero) for m in masks], hpos, wpos, kh, kw, x.shape)
    return (dx,)


max_pool.defvjp(_max_pool_fwd, _max_pool_bwd)


def _add(terms: list[jax.Array]) -> jax.Array:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _patches(x: jax.Array, kh: int, kw: int) -> jax.Array:
    """im2col, batch innermost: `x (c, h, w, n)` → `(c, kh, kw, h-kh+1, w-kw+1, n)`."""
    # Every shift is a slice of outer axes, so each copy moves whole rows of `n`
    # contiguous values; column shifts first, then the rows of those.
    h2, w2 = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    cols = jnp.stack([x[:, :, dj : dj + w2] for dj in range(kw)], axis=1)  # c kw h w2 n
    return jnp.stack([cols[:, :, di : di + h2] for di in range(kh)], axis=1)


def conv2d_chwn(x: jax.Array, w: jax.Array) -> jax.Array:
    """Valid convolution of `x (c, h, w, n)` with `w (o, c, kh, kw)` into
    `(o, h-kh+1, w-kw+1, n)`: the batch `n` innermost, so that every shift of
    the window, every pooling phase and every pad moves whole vectors of
    examples (on a 2-core AMD Zen 5 this layout trained LeNet 17-26% faster
    than channels-then-batch `(c, n, h, w)`; bench/NOTES.md).

    By the lowering `conv_lowering` chose: `"phases"` (`_phases_conv`, the
    default, for even output sizes; im2col otherwise), `"im2col"` (`_im2col`) or
    `"xla"` (XLA's own convolution in the same layout). The choice is for several
    input channels: one input channel always takes `_phases_conv` where it can."""
    _compiling(x)
    lowering = _CONV.get()
    if lowering == "xla" and x.shape[0] > 1:
        return lax.conv_general_dilated(
            x, w, (1, 1), "VALID", dimension_numbers=("CHWN", "OIHW", "CHWN")
        )
    h2, w2 = x.shape[1] - w.shape[2] + 1, x.shape[2] - w.shape[3] + 1
    if (lowering == "phases" or x.shape[0] == 1) and h2 % 2 == 0 and w2 % 2 == 0:
        return _phases_conv(x, w)
    return _im2col(x, w)


@jax.custom_vjp
def _im2col(x: jax.Array, w: jax.Array) -> jax.Array:
    """`conv2d_chwn` as im2col and one matmul.

    Under differentiation: im2col and one matmul, whose patches the backward
    pass reuses (one matmul for the kernel gradient, a col2im summing each
    tap's padded share for the input gradient) instead of XLA:CPU's
    convolution gradients.
    Without it, one input channel is a sum over the kernel's taps instead, which
    XLA fuses with what consumes it (the pooling) and which stores no patches.
    """
    if x.shape[0] == 1:
        return _taps(x, w)
    return _im2col_fwd(x, w)[0]


def _taps(x: jax.Array, w: jax.Array) -> jax.Array:
    """The convolution of a one-channel `x` as `sum_{di,dj} w[:, 0, di, dj] · x shifted`.

    Summed with image rows innermost, `(c, n, h, w)`, the order images arrive
    in: XLA keeps a transposed input in its stored order and would read a
    batch-innermost sum across strides (2x slower at b=1024)."""
    kh, kw = w.shape[2], w.shape[3]
    x = jnp.transpose(x, (0, 3, 1, 2))
    h2, w2 = x.shape[2] - kh + 1, x.shape[3] - kw + 1
    terms = [
        w[:, 0, di, dj, None, None, None] * x[:, :, di : di + h2, dj : dj + w2]
        for di in range(kh)
        for dj in range(kw)
    ]
    return jnp.transpose(_add(terms), (0, 2, 3, 1))


def _im2col_fwd(x: jax.Array, w: jax.Array) -> tuple[jax.Array, tuple[jax.Array, jax.Array]]:
    patches = _patches(x, w.shape[2], w.shape[3])
    out = lax.dot_general(w, patches, (((1, 2, 3), (0, 1, 2)), ((), ())))
    return out, (patches, w)


def _im2col_bwd(residuals, g):
    patches, w = residuals
    # The kernel gradient is computed as `(c kh kw) × o` and transposed (a tiny
    # array): in that orientation XLA:CPU copies the small `g`, not the patches.
    dw = jnp.transpose(
        lax.dot_general(patches, g, (((3, 4, 5), (1, 2, 3)), ((), ()))), (3, 0, 1, 2)
    )  # o c kh kw
    return _input_gradient(w, g), dw


def _input_gradient(w: jax.Array, g: jax.Array) -> jax.Array:
    """col2im: each tap's share `dp (c, kh, kw, h2, w2, n)` of the gradient `g`,
    padded out to the input's size, all `kh·kw` summed in one fusion (6-10%
    faster at b=512 than two separable pad-and-add stages; in-place adds ran as
    fast but compiled 0.2 s slower)."""
    kh, kw = w.shape[2], w.shape[3]
    dp = lax.dot_general(w, g, (((0,), (0,)), ((), ())))
    zero, keep = jnp.zeros((), dp.dtype), (0, 0, 0)
    return _add(
        [
            lax.pad(dp[:, di, dj], zero, [keep, (di, kh - 1 - di, 0), (dj, kw - 1 - dj, 0), keep])
            for di in range(kh)
            for dj in range(kw)
        ]
    )


_im2col.defvjp(_im2col_fwd, _im2col_bwd)


@jax.custom_vjp
def _phases_conv(x: jax.Array, w: jax.Array) -> jax.Array:
    """`conv2d_chwn` for even output heights and widths, by output phases.

    Output `(2p+i, 2q+j)` reads input `(2p+a, 2q+b)` with `a = i+di`, `b = j+dj`,
    so the `(kh+1)(kw+1)` stride-2 shifts `X6[c, a, b, p, q, n]` serve all four
    phases `(i, j)`: the forward pass is one matmul `W6 · X6` (`W6[o, i, j, c, a,
    b] = w[o, c, a-i, b-j]`), the kernel gradient one matmul of `X6` with the
    phases of `g`, the input gradient
    `W6ᵀ · g`'s shifts padded back into place (`_shifts6_transpose`). For 5x5 kernels
    X6 holds 36 shifts of a quarter of the positions where im2col's patches hold
    25 of all of them: 2.8x less data for 1.44x the multiplications. LeNet's
    training step ran 15-18% faster with conv1 so, and another 6-14% with conv2
    (bench/NOTES.md). One input channel without differentiation is the tap sum.
    """
    if x.shape[0] == 1:
        return _taps(x, w)
    return _phases_fwd(x, w)[0]


def _shifts6(x: jax.Array, kh: int, kw: int) -> jax.Array:
    """`X6[c, a, b, p, q, n] = x[c, 2p+a, 2q+b, n]` for `a <= kh`, `b <= kw`."""
    hp, wp = (x.shape[1] - kh + 1) // 2, (x.shape[2] - kw + 1) // 2
    cols = jnp.stack([x[:, :, b : b + 2 * wp - 1 : 2] for b in range(kw + 1)], axis=1)
    return jnp.stack([cols[:, :, a : a + 2 * hp - 1 : 2] for a in range(kh + 1)], axis=1)


def _w6(w: jax.Array) -> jax.Array:
    """`W6[o, i, j, c, a, b] = w[o, c, a-i, b-j]` (zero outside the kernel)."""
    o, c, kh, kw = w.shape
    W6 = jnp.zeros((o, 2, 2, c, kh + 1, kw + 1), w.dtype)
    for i in range(2):
        for j in range(2):
            W6 = W6.at[:, i, j, :, i : i + kh, j : j + kw].set(w)
    return W6


def _shifts6_transpose(dX6: jax.Array) -> jax.Array:
    """The transpose of `_shifts6`: the gradient `dx (c, h, w, n)` of the input
    from the gradient `dX6 (c, a, b, p, q, n)` of its shifts, each shift padded
    back to its stride-2 positions (interior padding) and all summed in one
    fusion."""
    _, ka, kb, _, _, _ = dX6.shape
    zero, keep = jnp.zeros((), dX6.dtype), (0, 0, 0)
    return _add(
        [
            lax.pad(dX6[:, a, b], zero, [keep, (a, ka - 1 - a, 1), (b, kb - 1 - b, 1), keep])
            for a in range(ka)
            for b in range(kb)
        ]
    )


def _phases_fwd(x: jax.Array, w: jax.Array) -> tuple[jax.Array, tuple[jax.Array, ...]]:
    o, _, kh, kw = w.shape
    X6 = _shifts6(x, kh, kw)
    W6 = _w6(w)
    phases = lax.dot_general(W6, X6, (((3, 4, 5), (0, 1, 2)), ((), ())))  # o i j p q n
    _, _, _, hp, wp, n = phases.shape
    out = jnp.reshape(jnp.transpose(phases, (0, 3, 1, 4, 2, 5)), (o, 2 * hp, 2 * wp, n))
    return out, (X6, w)


def _phases_bwd(residuals, g):
    X6, w = residuals
    o, _, kh, kw = w.shape
    _, h2, w2, n = g.shape
    g_phases = jnp.transpose(jnp.reshape(g, (o, h2 // 2, 2, w2 // 2, 2, n)), (0, 2, 4, 1, 3, 5))
    # `(c, a, b) × (o, i, j)`: in this orientation XLA:CPU copies the phases of
    # `g` for the matmul, not X6 (2.6 ms of 18 per step the other way round).
    m = lax.dot_general(X6, g_phases, (((3, 4, 5), (3, 4, 5)), ((), ())))  # c a b o i j
    dw = _add(
        [
            jnp.transpose(m[:, i : i + kh, j : j + kw, :, i, j], (3, 0, 1, 2))
            for i in range(2)
            for j in range(2)
        ]
    )
    # The input gradient through the shifts: `dX6 = W6ᵀ · g_phases` holds 36
    # shifts of a quarter of the positions where col2im's `dp` holds 25 of all
    # of them (2.8x less), the largest scratch buffer of the backward pass.
    dX6 = lax.dot_general(_w6(w), g_phases, (((0, 1, 2), (0, 1, 2)), ((), ())))  # c a b p q n
    return _shifts6_transpose(dX6), dw


_phases_conv.defvjp(_phases_fwd, _phases_bwd)
