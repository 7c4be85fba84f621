"""Any positional function, lifted over named axes: `untag`, `nmap`, `tag`.

The notation applies a function written for the axes it names at every position
of the axes it does not name. Here that is three steps:

- `untag(x, "time")` makes the axes a function should see positional (in the
  order given), and leaves the others named;
- `nmap(f)(...)` calls `f` with only the positional axes visible, vectorised
  (`jax.vmap`) over every named axis of every argument, broadcast by name;
- `tag(y, "time")` names the positional axes of the result again.

    cumulative = tl.nmap(jnp.cumsum)(x.untag("time")).tag("time")
    norms = tl.nmap(jnp.linalg.norm)(x.untag("embed"))        # a NamedArray
    values, where = tl.nmap(jax.lax.top_k)(x.untag("vocab"), 5)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from . import errors
from .named import NamedArray, method_of_named_array
from .sizes import Names, as_names, check_unique, clash, fmt

__all__ = ["Untagged", "nmap", "tag", "untag"]


class Untagged(eqx.Module):
    """A tensor with named axes and, after them, positional ones.

    What `untag` returns and `nmap` gives back when its function returns more
    than a scalar: `names` are stored first, the positional axes follow in
    order. Only `nmap` and `tag` take it; `tag` turns it back into a NamedArray.

    Examples:
        >>> x = tl.named(jnp.zeros((2, 3)), "batch seq").untag("seq")
        >>> x.sizes, x.positional_shape
        ({'batch': 2}, (3,))
    """

    data: jax.Array
    names: tuple[str, ...] = eqx.field(static=True)

    @property
    def positional_shape(self) -> tuple[int, ...]:
        """The sizes of the positional axes, in order."""
        return tuple(self.data.shape[len(self.names) :])

    @property
    def sizes(self) -> dict[str, int]:
        """The sizes of the named axes."""
        return dict(zip(self.names, self.data.shape))

    @property
    def dtype(self) -> Any:
        """The element type."""
        return self.data.dtype

    def tag(self, *names: Names) -> NamedArray:
        """Name the positional axes, in order (see `tag`)."""
        return tag(self, *names)

    def __repr__(self) -> str:
        named = ", ".join(f"{n}:{fmt(s, grouped=False)}" for n, s in self.sizes.items())
        positional = ", ".join(fmt(s, grouped=False) for s in self.positional_shape)
        return f"Untagged[{named} | {positional}]"


def _join(names: tuple[Names, ...], op: str) -> tuple[str, ...]:
    out: list[str] = []
    for group in names:
        out.extend(as_names(group, argument="names", op=op))
    return tuple(out)


def untag(x: NamedArray, *names: Names) -> Untagged:
    """The axes `names` of `x` made positional, in that order; the rest stay named.

    `untag(x, "seq", "embed")` and `x.untag("seq embed")` are the same.

    Examples:
        >>> x = tl.named(jnp.zeros((2, 3, 4)), "batch seq embed")
        >>> tl.untag(x, "seq", "embed")
        Untagged[batch:2 | 3, 4]
    """
    if not isinstance(x, NamedArray):
        raise TypeError(f"untag: `x` must be a NamedArray, got {type(x).__name__}")
    axes = _join(names, "untag")
    check_unique(axes, "untag")
    for axis in axes:
        x.position(axis, op="untag")
    rest = tuple(n for n in x.names if n not in axes)
    return Untagged(x.align((*rest, *axes)).data, rest)


def tag(x: Untagged | NamedArray | jax.Array, *names: Names) -> NamedArray:
    """Name the positional axes of `x`, in order: one name for each.

    Examples:
        >>> x = tl.named(jnp.zeros((2, 3)), "batch seq")
        >>> tl.tag(x.untag("seq"), "time")
        f32[batch:2, time:3]
    """
    new = _join(names, "tag")
    if isinstance(x, NamedArray):
        named, positional = x.names, 0
    elif isinstance(x, Untagged):
        named, positional = x.names, len(x.positional_shape)
    elif hasattr(x, "shape"):
        named, positional = (), len(x.shape)
    else:
        raise TypeError(f"tag: `x` must be an Untagged result or an array, got {x!r}")
    if len(new) != positional:
        raise errors.axes_mismatch(
            "tag",
            argument="names",
            expected=positional,
            actual=len(new),
            problem=f"{new!r} has {len(new)} names but `x` has {positional} positional axes",
        )
    check_unique(new, "tag")
    for name in new:
        if name in named:
            raise errors.duplicate_axis(
                "tag", name, argument="names", detail=f"`{name}` is already an axis of `x`"
            )
    data = x.data if isinstance(x, (NamedArray, Untagged)) else x
    return NamedArray(data, (*named, *new))


def _is_named(x: Any) -> bool:
    return isinstance(x, (NamedArray, Untagged))


def nmap(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` vectorised over the named axes of its arguments, by name.

    Every NamedArray or `Untagged` in the arguments (at any depth of a pytree,
    keywords included) is given to `fn` with its named axes removed: a
    NamedArray as a scalar, an `Untagged` as an array of its positional axes.
    `fn` runs at every position of the union of the named axes (an axis shared
    by several arguments must have one size). Anything else (Python values,
    keyword options, raw arrays) is passed to `fn` unchanged.

    Every array `fn` returns gets all of those named axes: a NamedArray when
    `fn` returned a scalar, an `Untagged` when it returned positional axes
    (name them with `tag`).

    Example:
        >>> x = tl.named(jnp.arange(6.0).reshape(2, 3), "batch time")
        >>> tl.nmap(jnp.cumsum)(x.untag("time")).tag("time")
        f32[batch:2, time:3]
    """
    name = getattr(fn, "__name__", "nmap")

    @functools.wraps(fn)
    def mapped(*args: Any, **kwargs: Any) -> Any:
        leaves, treedef = jax.tree_util.tree_flatten((args, kwargs), is_leaf=_is_named)
        sizes: dict[str, tuple[Any, str]] = {}
        for i, leaf in enumerate(leaves):
            if _is_named(leaf):
                for axis, n in zip(leaf.names, leaf.data.shape):
                    if axis not in sizes:
                        sizes[axis] = (n, f"argument {i}")
                    elif sizes[axis][0] != n:
                        raise clash(f"nmap({name})", axis, *sizes[axis], n, f"argument {i}")
        order = tuple(sizes)
        named = [i for i, leaf in enumerate(leaves) if _is_named(leaf)]
        datas = [_in_order(leaves[i], order) for i in named]

        def call(*inner: Any) -> Any:
            rebuilt = list(leaves)
            for i, data in zip(named, inner):
                rebuilt[i] = data
            inner_args, inner_kwargs = jax.tree_util.tree_unflatten(treedef, rebuilt)
            return fn(*inner_args, **inner_kwargs)

        vectorised = call
        for axis in reversed(order):
            in_axes = tuple(0 if axis in leaves[i].names else None for i in named)
            vectorised = jax.vmap(vectorised, in_axes=in_axes, out_axes=0)
        out = vectorised(*datas)
        return jax.tree_util.tree_map(lambda y: _named_out(y, order), out)

    return mapped


def _in_order(x: NamedArray | Untagged, order: tuple[str, ...]) -> jax.Array:
    """`x`'s data with its named axes in the order of `order`, positional ones after."""
    mine = [n for n in order if n in x.names]
    if tuple(mine) == x.names:
        return x.data
    perm = [x.names.index(n) for n in mine]
    perm += list(range(len(x.names), x.data.ndim))
    return jnp.transpose(x.data, perm)


def _named_out(y: Any, order: tuple[str, ...]) -> Any:
    if not hasattr(y, "shape"):
        return y
    if len(y.shape) == len(order):
        return NamedArray(y, order)
    return Untagged(y, order)


method_of_named_array("untag")(untag)
