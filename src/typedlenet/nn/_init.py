"""Parameters by name: `init(key, "embed:64 hidden:256")`."""

from __future__ import annotations

import math
from typing import Any, Literal

import jax
import jax.numpy as jnp

from .._core import errors
from .._core.named import NamedArray
from .._core.sizes import as_names, size

__all__ = ["init", "ones", "parse", "zeros"]


class AxisSizes(dict[str, int]):
    """Axis name → size, hashable, so that a layer may keep it as a static field
    (and be passed to `jax.jit` as well as `eqx.filter_jit`). Never mutated."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))


def parse(spec: str, *, op: str = "init") -> AxisSizes:
    """`"embed:64 hidden:256"` as `{"embed": 64, "hidden": 256}` (every axis sized)."""
    if not isinstance(spec, str):
        raise TypeError(f'{op}: the axes must be a string like "embed:64 hidden:256", got {spec!r}')
    sizes = AxisSizes()
    for token in spec.split():
        name, colon, n = token.partition(":")
        if not colon or not n.isdigit():
            raise errors.bad_argument(
                op,
                "spec",
                spec,
                must=f"give axis `{name}` an integer size (`{name}:64`)",
                axis=name,
            )
        (name,) = as_names([name], argument="spec", op=op)
        if name in sizes:
            raise errors.duplicate_axis(op, name, argument="spec", among=f'"{spec}"')
        sizes[name] = size(int(n), op=op, argument=f"the size of `{name}`")
    return sizes


def init(
    key: jax.Array,
    spec: str,
    *,
    fan_in: str | None = None,
    dist: Literal["uniform", "normal"] = "uniform",
    scale: float | None = None,
    dtype: Any = jnp.float32,
) -> NamedArray:
    """A random parameter with the named axes of `spec` (`"embed:64 hidden:256"`).

    `dist="uniform"`: `U(-s, s)`; `"normal"`: `N(0, s²)`; `s = scale`, or
    `1/√fan_in` where `fan_in` is the product of the sizes of the axes named by
    `fan_in` (default: the first axis of `spec`), PyTorch's default for linear
    and convolution layers.

    Example:
        >>> tl.nn.init(jax.random.PRNGKey(0), "embed:64 hidden:256", fan_in="embed")
        f32[embed:64, hidden:256]
    """
    sizes = parse(spec)
    if scale is None:
        over = as_names(fan_in, argument="fan_in", op="init") if fan_in else tuple(sizes)[:1]
        for name in over:
            if name not in sizes:
                raise errors.missing_axis(
                    "init",
                    name,
                    argument="fan_in",
                    present=tuple(sizes),
                    holder=f'the spec "{spec}"',
                    detail=f"`fan_in` names `{name}`",
                )
        scale = 1.0 / math.sqrt(math.prod(sizes[n] for n in over))
    shape = tuple(sizes.values())
    if dist == "uniform":
        data = jax.random.uniform(key, shape, dtype, -scale, scale)
    elif dist == "normal":
        data = scale * jax.random.normal(key, shape, dtype)
    else:
        raise errors.bad_argument("init", "dist", dist, must="be 'uniform' or 'normal'")
    return NamedArray(data, tuple(sizes))


def zeros(spec: str, dtype: Any = jnp.float32) -> NamedArray:
    """Zeros with the named axes of `spec`."""
    sizes = parse(spec, op="zeros")
    return NamedArray(jnp.zeros(tuple(sizes.values()), dtype), tuple(sizes))


def ones(spec: str, dtype: Any = jnp.float32) -> NamedArray:
    """Ones with the named axes of `spec`."""
    sizes = parse(spec, op="ones")
    return NamedArray(jnp.ones(tuple(sizes.values()), dtype), tuple(sizes))
