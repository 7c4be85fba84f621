"""`RMSNorm`: normalisation by the root mean square over named axes."""

from __future__ import annotations

import equinox as eqx

from .._core import ops
from .._core.named import NamedArray
from ._checks import expect_axes
from ._init import ones, parse

__all__ = ["RMSNorm"]


class RMSNorm(eqx.Module):
    """`RMSNorm(x) = x / sqrt(mean_axes x² + eps) ⊙ g` over the named `axes`
    (`RMSNorm("embed:64")`); `g` has those axes. Unlike `LayerNorm` it neither
    centres `x` nor adds a bias.

    Examples:
        >>> norm = nn.RMSNorm("embed:4", eps=0.0)
        >>> norm(tl.named(jnp.full((2, 4), -2.0), "batch embed")).data[0]
        Array([-1., -1., -1., -1.], dtype=float32)
    """

    g: NamedArray | None
    axes: dict[str, int] = eqx.field(static=True)
    eps: float = eqx.field(static=True)

    def __init__(self, axes: str, *, eps: float = 1e-6, affine: bool = True) -> None:
        self.axes = parse(axes, op="RMSNorm")
        self.eps = eps
        self.g = ones(axes) if affine else None

    def __call__(self, x: NamedArray) -> NamedArray:
        """`x` normalised over the layer's axes; every other axis is lifted."""
        expect_axes(x, self.axes, "RMSNorm")
        y = x / ops.sqrt(ops.mean(x * x, tuple(self.axes)) + self.eps)
        return y if self.g is None else y * self.g
