"""The notation's operations, by name and lifted over every axis they do not name.

Each function here is one operation of *Named Tensor Notation*: elementwise
functions broadcast by name, contraction `a ·_over b`, reductions, softmax;
renaming, flattening and unfolding live in `_reshape` and are re-exported here.
None of them cares how the axes are stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from . import errors
from .annotations import Bool, Int, Integer, Shaped
from .call_checks import typechecked
from .named import NamedArray, broadcast
from .ranges import ranged
from .reshape import flatten, rename, unflatten, unfold
from .sizes import Names, Size, as_names, clash, fmt
from .sizes import size as _size

__all__ = [
    "argmax",
    "dot",
    "elementwise",
    "exp",
    "flatten",
    "lift",
    "log",
    "log_softmax",
    "logsumexp",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "one_hot",
    "relu",
    "rename",
    "sigmoid",
    "softmax",
    "sqrt",
    "sum",
    "tanh",
    "unflatten",
    "unfold",
    "where",
]


def _axes(
    x: NamedArray, over: Names | None, op: str, argument: str = "x"
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The names in `over` (all of `x`'s when None) and where `x` stores them."""
    names = x.names if over is None else as_names(over, argument="over")
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise errors.duplicate_axis(op, twice, argument="over", among=f"`over` {names!r}")
    return names, tuple(x.position(n, op=op, argument=argument) for n in names)


# --- elementwise ----------------------------------------------------------------


def _elementwise(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> NamedArray:
    name = getattr(fn, "__name__", "elementwise")
    datas, names = broadcast(args, f"`{name}`", [f"argument {i}" for i in range(len(args))])
    try:
        out = fn(*datas, **kwargs)
    except Exception:
        # A reduction fails on an empty axis before its shape can be seen (a max
        # has no identity): find its shape on a non-empty stand-in instead.
        if not _changes_shape_on_stand_in(fn, datas, kwargs, len(names)):
            raise
        out = None
    if out is None or jnp.ndim(out) != len(names):
        raise errors.not_elementwise(name, names, None if out is None else jnp.shape(out))
    return NamedArray(out, names)


def _changes_shape_on_stand_in(
    fn: Callable[..., Any], datas: Any, kwargs: dict[str, Any], ndim: int
) -> bool:
    """Whether `fn` changes the number of axes of arrays shaped like `datas`
    with every empty axis given one position (evaluated abstractly, no FLOPs)."""
    stand_ins = [
        jax.ShapeDtypeStruct(
            tuple(1 if isinstance(n, int) and n == 0 else n for n in jnp.shape(d)),
            jnp.result_type(d),
        )
        for d in datas
    ]
    try:
        shape = jax.eval_shape(lambda *a: fn(*a, **kwargs), *stand_ins)
    except Exception:
        return False
    return len(getattr(shape, "shape", ())) != ndim


@typechecked
def elementwise(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Shaped[NamedArray, "..."]:
    """`fn` applied elementwise to `args` (NamedArrays or scalars), broadcast by name.

    The result has the union of the arguments' axes; an axis they share must
    have one size. `fn` is any elementwise `jnp`/`jax.nn`/`lax` function;
    `kwargs` are passed to it as they are (`approximate=False`).

    Examples:
        >>> x = tl.named(jnp.array([1.0, -2.0]), "features")
        >>> tl.elementwise(jnp.abs, x).data
        Array([1., 2.], dtype=float32)
    """
    return _elementwise(fn, args, kwargs)


@typechecked
def lift(fn: Callable[..., Any]) -> Callable[..., NamedArray]:
    """Lift an elementwise function of positional arrays to one of NamedArrays.

    `lift(jnp.tanh)(x)` has `x`'s axes; `lift(jnp.maximum)(x, y)` broadcasts `x`
    and `y` by name; keyword arguments go to `fn` unchanged
    (`lift(jax.nn.gelu)(x, approximate=False)`). This is the notation's rule
    that a function of scalars applies at every position of the axes it does
    not name. For a function that is not elementwise (`cumsum`, `sort`, a norm),
    use `nmap` with `untag`.

    Examples:
        >>> softplus = tl.lift(jax.nn.softplus)
        >>> softplus(tl.named(jnp.zeros((2, 3)), "batch features"))
        f32[batch:2, features:3]
    """

    def lifted(*args: Any, **kwargs: Any) -> NamedArray:
        return _elementwise(fn, args, kwargs)

    lifted.__name__ = lifted.__qualname__ = getattr(fn, "__name__", "lifted")
    lifted.__doc__ = f"`{lifted.__name__}` applied elementwise, broadcast by name."
    return lifted


# Made at import without `lift`'s own argument check, so that importing the
# library reads no switch (`TYPEDLENET_CHECKS` is read on the first checked call).
_lift_unchecked = lift.__wrapped__  # pyright: ignore[reportFunctionMemberAccess]
relu = _lift_unchecked(jax.nn.relu)
exp = _lift_unchecked(jnp.exp)
log = _lift_unchecked(jnp.log)
tanh = _lift_unchecked(jnp.tanh)
sigmoid = _lift_unchecked(jax.nn.sigmoid)
sqrt = _lift_unchecked(jnp.sqrt)
gelu = _lift_unchecked(jax.nn.gelu)
maximum = _lift_unchecked(jnp.maximum)
minimum = _lift_unchecked(jnp.minimum)


@typechecked
def where(condition: Bool[NamedArray, "..."], x: Any, y: Any) -> Shaped[NamedArray, "..."]:
    """`x` where `condition` holds, else `y`; all three broadcast by name.

    Examples:
        >>> x = tl.named(jnp.array([-1.0, 2.0]), "features")
        >>> tl.where(x > 0, x, 0.0).data
        Array([0., 2.], dtype=float32)

    The result stores the axes of `x` and `y` first, in their order, and the
    condition's other axes after them: masking scores by a mask over fewer axes
    keeps the scores' layout (no transpose before a softmax over their last axis).
    """
    labels = ["argument 1", "argument 2", "argument 0"]
    (dx, dy, dc), names = broadcast((x, y, condition), "`where`", labels)
    return NamedArray(jnp.where(dc, dx, dy), names)


# --- contraction ----------------------------------------------------------------


@typechecked
def dot(
    a: Shaped[NamedArray, "..."], b: Shaped[NamedArray, "..."], over: Names
) -> Shaped[NamedArray, "..."]:
    """Contraction `a ·_over b`: the elementwise product, summed over `over`.

    Every axis in `over` must be an axis of both. Axes shared but not in `over`
    are kept (a batch of products); the others are the outer product's.

    Args:
        a: a NamedArray.
        b: a NamedArray; a shared axis has the same size in both.
        over: the axes contracted (summed over), a name or several.

    Returns:
        The axes of `a` and `b` not in `over`.

    Raises:
        AxisError: an axis of `over` is missing from `a` or `b`, or a shared axis
            has two sizes.

    Examples:
        >>> x = tl.named(jnp.ones((2, 3)), "batch features")
        >>> W = tl.named(jnp.ones((3, 4)), "features hidden")
        >>> tl.dot(x, W, "features")
        f32[batch:2, hidden:4]
        >>> float(tl.dot(x, x, "batch features"))
        6.0
    """
    return contract(a, b, over, lax.dot_general)


def contract(a: NamedArray, b: NamedArray, over: Names, kernel: Callable[..., Any]) -> NamedArray:
    """`dot`'s checks and result, computed by `kernel` (`lax.dot_general`'s
    signature): a layer chooses how its contractions are lowered (`nn`)."""
    names, a_pos = _axes(a, over, "dot", "a")
    b_pos = tuple(b.position(n, op="dot", argument="b") for n in names)
    for name in a.names:
        if name in b.names and a.size_of(name) != b.size_of(name):
            raise clash("dot", name, a.size_of(name), "`a`", b.size_of(name), "`b`", argument="b")
    kept = [n for n in a.names if n in b.names and n not in names]
    a_only = [n for n in a.names if n not in b.names]
    b_only = [n for n in b.names if n not in a.names]
    dtype = jnp.promote_types(a.dtype, b.dtype)
    out = kernel(
        a.data.astype(dtype),
        b.data.astype(dtype),
        (
            (a_pos, b_pos),
            (tuple(a.names.index(n) for n in kept), tuple(b.names.index(n) for n in kept)),
        ),
    )
    return NamedArray(out, tuple(kept + a_only + b_only))


# --- reductions -----------------------------------------------------------------


def _reduce(fn: Callable[..., Any], x: NamedArray, over: Names | None, op: str) -> NamedArray:
    names, pos = _axes(x, over, op)
    if op in ("max", "min", "argmax"):
        _nonempty(x, names, op)
    return NamedArray(fn(x.data, axis=pos), tuple(n for n in x.names if n not in names))


def _nonempty(x: NamedArray, names: tuple[str, ...], op: str) -> None:
    for name in names:
        if x.size_of(name) == 0:
            raise errors.bad_size(
                op,
                name,
                argument="x",
                expected=">= 1",
                actual=0,
                problem=f"axis `{name}` has no positions, so it has no {op}",
            )


@typechecked
def sum(x: Shaped[NamedArray, "..."], over: Names | None = None) -> Shaped[NamedArray, "..."]:
    """`sum_over x`: the sum over the axes `over` (all axes when None).

    Examples:
        >>> x = tl.named(jnp.arange(6.0).reshape(2, 3), "batch features")
        >>> tl.sum(x, "features").data
        Array([ 3., 12.], dtype=float32)
        >>> float(tl.sum(x))
        15.0
    """
    return _reduce(jnp.sum, x, over, "sum")


@typechecked
def mean(x: Shaped[NamedArray, "..."], over: Names | None = None) -> Shaped[NamedArray, "..."]:
    """The mean over the axes `over` (all axes when None).

    Examples:
        >>> x = tl.named(jnp.arange(6.0).reshape(2, 3), "batch features")
        >>> tl.mean(x, "batch").data
        Array([1.5, 2.5, 3.5], dtype=float32)
    """
    return _reduce(jnp.mean, x, over, "mean")


@typechecked
def max(x: Shaped[NamedArray, "..."], over: Names | None = None) -> Shaped[NamedArray, "..."]:
    """`max_over x`: the maximum over the axes `over` (all axes when None).

    Examples:
        >>> x = tl.named(jnp.arange(6.0).reshape(2, 3), "batch features")
        >>> tl.max(x, "features").data
        Array([2., 5.], dtype=float32)
    """
    return _reduce(jnp.max, x, over, "max")


@typechecked
def min(x: Shaped[NamedArray, "..."], over: Names | None = None) -> Shaped[NamedArray, "..."]:
    """The minimum over the axes `over` (all axes when None)."""
    return _reduce(jnp.min, x, over, "min")


@typechecked
def logsumexp(x: Shaped[NamedArray, "..."], over: Names | None = None) -> Shaped[NamedArray, "..."]:
    """`log sum_over exp x`, computed stably."""
    return _reduce(jax.nn.logsumexp, x, over, "logsumexp")


@typechecked
def var(x: Shaped[NamedArray, "..."], over: Names | None = None) -> Shaped[NamedArray, "..."]:
    """The variance over the axes `over`: `mean_over (x - mean_over x)²`."""
    return _reduce(jnp.var, x, over, "var")


@typechecked
def argmax(x: Shaped[NamedArray, "..."], axis: str) -> Int[NamedArray, "..."]:
    """The position of the largest element along `axis`; the axis goes.

    Examples:
        >>> logits = tl.named(jnp.array([[0.1, 0.7, 0.2], [0.9, 0.0, 0.1]]), "batch class")
        >>> tl.argmax(logits, "class").data
        Array([1, 0], dtype=int32)
    """
    names, positions = _axes(x, axis, "argmax")
    if len(names) != 1:
        raise errors.bad_argument("argmax", "axis", axis, must="name exactly one axis")
    _nonempty(x, names, "argmax")
    pos = positions[0]
    length = x.size_of(axis)
    out = NamedArray(jnp.argmax(x.data, axis=pos), tuple(n for n in x.names if n != axis))
    return ranged(out, length, f"argmax over {axis}:{fmt(length, grouped=False)}", axis)


@typechecked
def one_hot(
    labels: Integer[NamedArray, "..."], axis: str, size: Size, dtype: Any = jnp.float32
) -> Shaped[NamedArray, "..."]:
    """`1` where a new axis `axis` (of `size` positions) equals `labels`, else `0`.

    Labels of any integer type (MNIST's `uint8` included); a label outside
    `[0, size)` gives a row of zeros.

    Examples:
        >>> tl.one_hot(tl.named(jnp.array([2, 0]), "batch"), "class", 3).data
        Array([[0., 0., 1.],
               [1., 0., 0.]], dtype=float32)
    """
    (axis,) = as_names([axis], argument="axis", op="one_hot")
    n = _size(size, op="one_hot", argument="size")
    if axis in labels.names:
        raise errors.duplicate_axis(
            "one_hot", axis, argument="axis", detail="`labels` already has it"
        )
    # Positions in a type that holds `n`: uint8 labels against 300 classes must not wrap.
    wide = labels.dtype if jnp.iinfo(labels.dtype).bits >= 32 else jnp.int32
    positions = lax.broadcasted_iota(wide, (*labels.shape, n), labels.ndim)
    hot = labels.data.astype(wide)[..., None] == positions
    return NamedArray(hot.astype(dtype), (*labels.names, axis))


@typechecked
def softmax(x: Shaped[NamedArray, "..."], over: Names) -> Shaped[NamedArray, "..."]:
    """`softmax_over x = exp x / sum_over exp x`; the axes are unchanged.

    Examples:
        >>> x = tl.named(jnp.zeros((2, 4)), "batch class")
        >>> tl.softmax(x, "class").data[0]
        Array([0.25, 0.25, 0.25, 0.25], dtype=float32)
    """
    return NamedArray(jax.nn.softmax(x.data, axis=_axes(x, over, "softmax")[1]), x.names)


@typechecked
def log_softmax(x: Shaped[NamedArray, "..."], over: Names) -> Shaped[NamedArray, "..."]:
    """`log softmax_over x = x - logsumexp_over x`, computed stably.

    Examples:
        >>> x = tl.named(jnp.zeros((2, 4)), "batch class")
        >>> tl.log_softmax(x, "class")
        f32[batch:2, class:4]
    """
    pos = _axes(x, over, "log_softmax")[1]
    return NamedArray(jax.nn.log_softmax(x.data, axis=pos), x.names)
