"""Transformations by name: `vmap` and `scan` over a named axis, and `grad` /
`value_and_grad` for functions whose value is a NamedArray with no axes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax

from . import errors
from .call_checks import typechecked
from .named import NamedArray
from .sizes import as_names, clash

__all__ = ["grad", "scan", "value_and_grad", "vmap"]


def _is_named(x: Any) -> bool:
    return isinstance(x, NamedArray)


@typechecked
def vmap(fn: Callable[..., Any], axis: str) -> Callable[..., Any]:
    """`fn` mapped over the axis named `axis` with `jax.vmap`.

    Each NamedArray argument that has `axis` is seen by `fn` without it; the
    others (and every non-NamedArray argument) are passed whole. Each NamedArray
    that `fn` returns gets `axis` back; positional arrays get it as their first
    axis. This is the notation's lifting made explicit: `fn` is written for one
    position of `axis` and applied at all of them.

    (`jax.vmap` itself also works on functions that take raw arrays and name
    them inside, or that close over NamedArrays.)

    Examples:
        >>> def norm(v):  # one position of `batch`
        ...     return tl.sqrt(tl.sum(v * v, "features"))
        >>> tl.vmap(norm, "batch")(tl.named(jnp.ones((2, 4)), "batch features")).data
        Array([2., 2.], dtype=float32)
    """

    @functools.wraps(fn)
    def mapped(*args: Any, **kwargs: Any) -> Any:
        leaves, treedef = jax.tree_util.tree_flatten((args, kwargs), is_leaf=_is_named)
        size: int | None = None
        dynamic: list[Any] = []
        in_axes: list[int | None] = []
        for leaf in leaves:
            if _is_named(leaf) and axis in leaf.names:
                n = leaf.size_of(axis)
                if size is not None and n != size:
                    raise clash("vmap", axis, size, "one argument", n, "another")
                size = n
                dynamic.append(leaf.data)
                in_axes.append(leaf.names.index(axis))
            elif isinstance(leaf, (jax.Array, NamedArray)):
                dynamic.append(leaf.data if isinstance(leaf, NamedArray) else leaf)
                in_axes.append(None)
        if size is None:
            raise errors.missing_axis(
                "vmap", axis, argument="args", detail="none of the arguments has it"
            )

        out_structure: list[Any] = []

        def inner(*datas: Any) -> list[Any]:
            it = iter(datas)
            rebuilt = []
            for leaf in leaves:
                if _is_named(leaf):
                    names = tuple(n for n in leaf.names if n != axis)
                    rebuilt.append(NamedArray(next(it), names))
                elif isinstance(leaf, jax.Array):
                    rebuilt.append(next(it))
                else:
                    rebuilt.append(leaf)
            inner_args, inner_kwargs = jax.tree_util.tree_unflatten(treedef, rebuilt)
            out = fn(*inner_args, **inner_kwargs)
            out_leaves, out_tree = jax.tree_util.tree_flatten(out, is_leaf=_is_named)
            names = []
            for leaf in out_leaves:
                if _is_named(leaf) and axis in leaf.names:
                    raise errors.duplicate_axis(
                        "vmap",
                        axis,
                        detail=f"the function's result already has the mapped axis `{axis}` "
                        f"({leaf!r})",
                    )
                names.append(leaf.names if _is_named(leaf) else None)
            out_structure[:] = [out_tree, names]
            return [leaf.data if _is_named(leaf) else leaf for leaf in out_leaves]

        outs = jax.vmap(inner, in_axes=tuple(in_axes))(*dynamic)
        out_tree, names = out_structure
        return jax.tree_util.tree_unflatten(
            out_tree,
            [d if n is None else NamedArray(d, (axis, *n)) for d, n in zip(outs, names)],
        )

    return mapped


def _leaves_with(tree: Any, axis: str, op: str, argument: str) -> tuple[list[Any], Any]:
    leaves, treedef = jax.tree_util.tree_flatten(tree, is_leaf=_is_named)
    for leaf in leaves:
        if not _is_named(leaf) or axis not in leaf.names:
            raise errors.missing_axis(
                op,
                axis,
                argument=argument,
                holder=f"an array of `{argument}`",
                detail=f"every array of `{argument}` must be a NamedArray with the axis "
                f"`{axis}`; one is {leaf!r}",
            )
    return leaves, treedef


def _structure(tree: Any) -> Any:
    """What a carry must keep from step to step: its pytree, and each array's
    axes with their sizes (in any storage order) and dtype."""
    leaves, treedef = jax.tree_util.tree_flatten(tree, is_leaf=_is_named)
    return treedef, [
        (sorted(map(str, leaf.sizes.items())), str(leaf.dtype)) if _is_named(leaf) else None
        for leaf in leaves
    ]


def _aligned_like(carry: Any, init: Any) -> Any:
    """`carry` with each NamedArray stored in the order of its counterpart in `init`."""
    return jax.tree_util.tree_map(
        lambda c, i: c.align(i.names) if _is_named(c) else c, carry, init, is_leaf=_is_named
    )


@typechecked
def scan(
    fn: Callable[[Any, Any], tuple[Any, Any]],
    init: Any,
    xs: Any,
    axis: str,
    *,
    reverse: bool = False,
    unroll: int | bool = 1,
) -> tuple[Any, Any]:
    """`jax.lax.scan` over the named axis `axis` of `xs`.

    `fn(carry, x) -> (carry, y)` sees, at each position of `axis`, the slice of
    every NamedArray of `xs` (a pytree: a module of stacked layers, say) without
    `axis`; the slices keep their other names. The carry is any pytree of
    NamedArrays and must keep its names, sizes and dtypes (not its storage order,
    which is put back as `init` has it). The `y`s are stacked
    along a new axis `axis` (first in storage). Returns `(carry, ys)`.

        h, _ = tl.scan(lambda h, layer: (block(layer, h), None), X, layers, "layer")
    """
    (axis,) = as_names([axis], argument="axis", op="scan")
    leaves, treedef = _leaves_with(xs, axis, "scan", "xs")
    sizes = {leaf.size_of(axis) for leaf in leaves}
    if len(sizes) > 1:
        first, second, *_ = sorted(sizes, key=str)
        raise errors.size_clash(
            "scan",
            axis,
            first,
            second,
            expected_in="one array of `xs`",
            actual_in="another",
            argument="xs",
        )
    names = [tuple(n for n in leaf.names if n != axis) for leaf in leaves]
    datas = [leaf.align((axis, *rest)).data for leaf, rest in zip(leaves, names)]
    before = _structure(init)

    def step(carry: Any, sliced: list[Any]) -> tuple[Any, Any]:
        x = jax.tree_util.tree_unflatten(
            treedef, [NamedArray(d, rest) for d, rest in zip(sliced, names)]
        )
        carry, y = fn(carry, x)
        if _structure(carry) != before:
            raise errors.structure_changed(
                "scan",
                "the carry",
                init,
                carry,
                argument="init",
                must="its structure, names, sizes and dtypes",
            )
        carry = _aligned_like(carry, init)
        for leaf in jax.tree_util.tree_leaves(y, is_leaf=_is_named):
            if _is_named(leaf) and axis in leaf.names:
                raise errors.duplicate_axis(
                    "scan",
                    axis,
                    detail=f"an output of the step already has the scanned axis `{axis}`",
                )
        return carry, y

    carry, ys = jax.lax.scan(step, init, datas, reverse=reverse, unroll=unroll)
    ys = jax.tree_util.tree_map(
        lambda y: NamedArray(y.data, (axis, *y.names)) if _is_named(y) else y, ys, is_leaf=_is_named
    )
    return carry, ys


def _scalar(value: Any, op: str) -> Any:
    if not _is_named(value):
        return value
    if value.names:
        raise errors.unexpected_axis(
            op,
            value.names,
            argument=None,
            holder="the function's value",
            detail="but a gradient needs a scalar: sum or mean over them first",
        )
    return value.data


def _unwrapped(fn: Callable[..., Any], has_aux: bool, op: str, named: list[bool]) -> Any:
    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        out = fn(*args, **kwargs)
        value, aux = out if has_aux else (out, None)
        named[:] = [_is_named(value)]
        value = _scalar(value, op)
        return (value, aux) if has_aux else value

    return wrapped


def grad(fn: Callable[..., Any], argnums: int | tuple[int, ...] = 0, *, has_aux: bool = False):
    """`jax.grad` for a function whose value is a NamedArray with no axes (a loss).

    The gradient with respect to a NamedArray (or a module of them) has the
    same names. A value that still has axes is an `AxisError` naming them.

    Examples:
        >>> def loss(w):
        ...     return tl.sum(w * w)
        >>> tl.grad(loss)(tl.named(jnp.array([1.0, 2.0]), "features")).data
        Array([2., 4.], dtype=float32)
    """
    return jax.grad(_unwrapped(fn, has_aux, "grad", []), argnums=argnums, has_aux=has_aux)


def value_and_grad(
    fn: Callable[..., Any], argnums: int | tuple[int, ...] = 0, *, has_aux: bool = False
):
    """`jax.value_and_grad` for a function whose value is a NamedArray with no axes;
    the value comes back as the function returned it (a 0-axis NamedArray)."""
    named: list[bool] = []
    inner = jax.value_and_grad(
        _unwrapped(fn, has_aux, "value_and_grad", named), argnums=argnums, has_aux=has_aux
    )

    @functools.wraps(fn)
    def both(*args: Any, **kwargs: Any) -> Any:
        value, g = inner(*args, **kwargs)
        rewrap = (lambda v: NamedArray(v, ())) if named and named[0] else (lambda v: v)
        if has_aux:
            return (rewrap(value[0]), value[1]), g
        return rewrap(value), g

    return both
