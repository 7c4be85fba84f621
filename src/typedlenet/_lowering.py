"""Positional kernels behind the fast paths of the layers.

A named layer is free to choose how its result is computed and stored; these
functions are the choices, on plain arrays with the axis positions given.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from jax import lax

__all__ = ["conv2d_cnhw", "max_pool"]


def _windows(x: jax.Array, hpos: int, wpos: int, kh: int, kw: int) -> tuple[jax.Array, int, int]:
    """`x` (trimmed to whole windows) with each window axis right after its position
    axis; returns the array and the positions of the two window axes."""
    for pos, k in ((hpos, kh), (wpos, kw)):
        whole = x.shape[pos] // k * k
        if whole != x.shape[pos]:
            x = lax.slice_in_dim(x, 0, whole, axis=pos)
    shape: list[int] = []
    window_axes = {}
    for i, n in enumerate(x.shape):
        if i in (hpos, wpos):
            k = kh if i == hpos else kw
            shape += [n // k, k]
            window_axes[i] = len(shape) - 1
        else:
            shape.append(n)
    return jnp.reshape(x, shape), window_axes[hpos], window_axes[wpos]


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2, 3, 4))
def max_pool(x: jax.Array, hpos: int, wpos: int, kh: int, kw: int) -> jax.Array:
    """Non-overlapping `kh × kw` max pooling of axes `hpos`, `wpos` (floor).

    The forward pass is a reshape and a maximum. The backward pass routes the
    gradient to the positions equal to their window's maximum, shared equally
    among ties (as the gradient of `max` over the unfolded windows is), instead
    of XLA's `select_and_scatter`.
    """
    z, a, b = _windows(x, hpos, wpos, kh, kw)
    return jnp.max(z, axis=(a, b))


def _max_pool_fwd(x, hpos, wpos, kh, kw):
    y = max_pool(x, hpos, wpos, kh, kw)
    return y, (x, y)


def _max_pool_bwd(hpos, wpos, kh, kw, residuals, g):
    x, y = residuals
    z, a, b = _windows(x, hpos, wpos, kh, kw)
    y_up = jnp.expand_dims(y, (a, b))
    mask = z == y_up
    share = jnp.expand_dims(g, (a, b)) / jnp.sum(mask, axis=(a, b), keepdims=True)
    dz = jnp.where(mask, share, jnp.zeros((), x.dtype))
    dx = jnp.reshape(
        dz,
        [
            n // k * k if i in (hpos, wpos) else n
            for i, n, k in ((i, n, kh if i == hpos else kw) for i, n in enumerate(x.shape))
        ],
    )
    pad = [(0, n - m, 0) for n, m in zip(x.shape, dx.shape)]
    if any(p[1] for p in pad):
        dx = lax.pad(dx, jnp.zeros((), x.dtype), pad)
    return (dx,)


max_pool.defvjp(_max_pool_fwd, _max_pool_bwd)


def _add(terms: list[jax.Array]) -> jax.Array:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _patches_cm(x: jax.Array, kh: int, kw: int) -> jax.Array:
    """im2col, channel-major: `x (c, n, h, w)` → `(c, kh, kw, n, h-kh+1, w-kw+1)`."""
    # Column shifts first: the unaligned slicing of short image rows then runs on
    # kw copies, and the row shifts copy whole contiguous blocks.
    h2, w2 = x.shape[2] - kh + 1, x.shape[3] - kw + 1
    cols = jnp.stack([x[..., dj : dj + w2] for dj in range(kw)], axis=1)  # c kw n h w2
    return jnp.stack([cols[:, :, :, di : di + h2] for di in range(kh)], axis=1)


@jax.custom_vjp
def conv2d_cnhw(x: jax.Array, w: jax.Array) -> jax.Array:
    """Valid convolution of `x (c, n, h, w)` with `w (o, c, kh, kw)` into
    `(o, n, h-kh+1, w-kw+1)`: channel-major, image rows innermost.

    im2col and one matmul; the backward pass is one matmul for the kernel
    gradient and a col2im of pad-and-add
    stages for the input gradient, instead of XLA:CPU's convolution gradients.
    """
    return _cm_fwd(x, w)[0]


def _cm_fwd(x: jax.Array, w: jax.Array) -> tuple[jax.Array, tuple[jax.Array, jax.Array]]:
    patches = _patches_cm(x, w.shape[2], w.shape[3])
    out = lax.dot_general(w, patches, (((1, 2, 3), (0, 1, 2)), ((), ())))
    return out, (patches, w)


def _cm_bwd(residuals, g):
    patches, w = residuals
    kh, kw = w.shape[2], w.shape[3]
    # The kernel gradient is computed as `(c kh kw) × o` and transposed (a tiny
    # array): in that orientation XLA:CPU copies the small `g`, not the patches.
    dw = jnp.transpose(
        lax.dot_general(patches, g, (((3, 4, 5), (1, 2, 3)), ((), ()))), (3, 0, 1, 2)
    )  # o c kh kw
    dp = lax.dot_general(w, g, (((0,), (0,)), ((), ())))  # c kh kw n h2 w2
    zero = jnp.zeros((), g.dtype)
    rows = _add(
        [lax.pad(dp[:, :, dj], zero, [(0, 0, 0)] * 4 + [(dj, kw - 1 - dj, 0)]) for dj in range(kw)]
    )  # c kh n h2 w
    dx = _add(
        [
            lax.pad(rows[:, di], zero, [(0, 0, 0), (0, 0, 0), (di, kh - 1 - di, 0), (0, 0, 0)])
            for di in range(kh)
        ]
    )
    return dx, dw


conv2d_cnhw.defvjp(_cm_fwd, _cm_bwd)
