"""Reports as aligned text tables: `summary(model)`, and the tables of `verify`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax

from .named import NamedArray
from .size_text import fmt

__all__ = ["register_summary", "summary", "table"]


def table(rows: list[tuple[str, ...]]) -> list[str]:
    """`rows` as lines whose columns line up (two spaces between columns)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


_SUMMARIES: dict[type, Callable[..., str]] = {}


def register_summary(cls: type) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Decorator: `summary(model)` for an instance of `cls` calls the decorated
    `fn(model, **options)` (LeNet's lists the seed's tensors too)."""

    def register(fn: Callable[..., str]) -> Callable[..., str]:
        _SUMMARIES[cls] = fn
        return fn

    return register


def _is_named(x: Any) -> bool:
    return isinstance(x, NamedArray)


def summary(model: Any, **options: Any) -> str:
    """A table of `model`'s parameters: each array's path, named shape and count.

    Works for any pytree (an equinox module, a dict of NamedArrays); a model
    with a registered summary (`LeNet`) gets its own, with `options`.

    Args:
        model: any pytree of arrays (an equinox module, a dict of NamedArrays).
        **options: passed to the model's registered summary, if it has one.

    Returns:
        The table as text, one line per array and a total.

    Examples:
        >>> print(tl.summary(tl.nn.Linear("embed:4", "hidden:8", key=jax.random.PRNGKey(0))))
        Linear: 40 parameters
        <BLANKLINE>
        parameter  named shape                  count
        W          embed:4, hidden:8 (float32)  32
        b          hidden:8 (float32)           8
        total                                   40
    """
    for cls in type(model).__mro__:
        if cls in _SUMMARIES:
            return _SUMMARIES[cls](model, **options)
    rows = [("parameter", "named shape", "count")]
    total = 0
    leaves = jax.tree_util.tree_flatten_with_path(model, is_leaf=_is_named)[0]
    for path, leaf in leaves:
        if _is_named(leaf):
            shape = (
                ", ".join(f"{n}:{fmt(s, grouped=False)}" for n, s in leaf.sizes.items()) or "scalar"
            )
        elif hasattr(leaf, "shape") and hasattr(leaf, "dtype"):
            shape = f"positional {tuple(leaf.shape)}"
        else:
            continue
        count = math.prod(leaf.shape)
        total += count
        rows.append(
            (
                jax.tree_util.keystr(path).lstrip(".") or "(root)",
                f"{shape} ({leaf.dtype})",
                f"{count:,}",
            )
        )
    rows.append(("total", "", f"{total:,}"))
    return "\n".join([f"{type(model).__name__}: {total:,} parameters", "", *table(rows)])
