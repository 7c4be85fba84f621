"""Small argument checks shared by the layers, each raising an `AxisError` that
names the layer, the argument and the axis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core import errors
from .._core.named import NamedArray
from .._core.sizes import clash

__all__ = ["expect_axes", "free", "per_axis", "primed"]


def expect_axes(x: Any, sizes: Mapping[str, int], op: str, argument: str = "x") -> None:
    """`x` is a NamedArray with every axis of `sizes`, of those sizes."""
    if not isinstance(x, NamedArray):
        raise TypeError(f"{op}: `{argument}` must be a NamedArray, got {type(x).__name__}")
    for axis, n in sizes.items():
        x.position(axis, op=op, argument=argument)
        if x.size_of(axis) != n:
            raise clash(
                op, axis, n, "the layer", x.size_of(axis), f"`{argument}`", argument=argument
            )


def free(x: NamedArray, names: tuple[str, ...], op: str, why: str, argument: str = "x") -> None:
    """`x` has none of `names` (the axes the layer would create)."""
    for axis in names:
        if axis in x.names:
            raise errors.duplicate_axis(
                op,
                axis,
                argument=argument,
                detail=f"`{argument}` already has an axis `{axis}`, {why}",
            )


def per_axis(value: Any, axes: tuple[str, ...], op: str, argument: str) -> tuple[Any, ...]:
    """One value per axis: a single value for all, a sequence in `axes`' order, or a
    mapping by axis name."""
    if isinstance(value, Mapping):
        missing = [a for a in axes if a not in value]
        extra = [a for a in value if a not in axes]
        if missing or extra:
            raise errors.bad_argument(
                op,
                argument,
                must=f"give every axis of {axes!r}",
                expected=axes,
                detail=f"missing {missing}, unknown {extra}",
            )
        return tuple(value[a] for a in axes)
    if isinstance(value, (tuple, list)):
        if len(value) != len(axes):
            raise errors.bad_argument(
                op,
                argument,
                value,
                must=f"have one entry for each of the {len(axes)} axes {axes!r}",
                expected=len(axes),
                detail=f"it has {len(value)}",
            )
        return tuple(value)
    return (value,) * len(axes)


def primed(names: tuple[str, ...], taken: tuple[str, ...]) -> tuple[str, ...]:
    """`names` with a prime added to those also in `taken` (a weight's output axes
    beside its input axes: `embed` → `embed'`)."""
    return tuple(f"{n}'" if n in taken else n for n in names)
