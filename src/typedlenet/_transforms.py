"""`vmap` by name: map a function over one named axis of its arguments."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax

from ._checking import typechecked
from ._errors import AxisError
from ._named import NamedArray

__all__ = ["vmap"]


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
                    raise AxisError(
                        f"vmap: axis `{axis}` has size {size} in one argument and {n} in another",
                        op="vmap",
                        axis=axis,
                        expected=size,
                        actual=n,
                    )
                size = n
                dynamic.append(leaf.data)
                in_axes.append(leaf.names.index(axis))
            elif isinstance(leaf, (jax.Array, NamedArray)):
                dynamic.append(leaf.data if isinstance(leaf, NamedArray) else leaf)
                in_axes.append(None)
        if size is None:
            raise AxisError(f"vmap: no argument has axis `{axis}`", op="vmap", axis=axis)

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
                    raise AxisError(
                        f"vmap: the function's result already has the mapped axis "
                        f"`{axis}` ({leaf!r})",
                        op="vmap",
                        axis=axis,
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
