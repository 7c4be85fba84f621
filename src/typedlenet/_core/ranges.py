"""Index arrays that know their range, and a checked mode for traced indices.

An index array made by `arange`, `argmax` (and the other operations that
return positions) knows the range its elements lie in: `arange("seq", n)`
holds `0 … n-1`, `argmax(x, "class")` holds positions of `class`. `take` (and
`x[{"axis": indices}]`) checks that range against the axis it takes from, for
concrete and symbolic sizes alike, before anything is computed:
`arange("seq", n)` into `pos:16` needs `n <= 16`, and without a constraint
that proves it, `take` says so.

The range rides on the Python object while the function that made it runs
(eagerly, under `jax.jit` or `jax.eval_shape`); it does not cross a pytree
boundary (a jitted function's inputs, a scan's carry), where the values are
unknown again. Renaming, reordering, slicing and integer casts keep it; any
other arithmetic drops it.

A traced index whose range is unknown cannot be checked statically; under
`jax.jit` an index out of range gives the fill value (NaN for floats), as in
JAX. `checked_indices(fn)` runs `fn` jitted with every such index checked on
the device: one out of range raises an error naming the operation and axis.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
from collections.abc import Callable
from typing import Any, TypeVar

import jax
import jax.numpy as jnp

from . import errors
from .sizes import fmt, holds

__all__ = ["IndexRange", "checked_indices", "index_range"]

_ATTRIBUTE = "_typedlenet_index_range"
_CHECKING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "typedlenet_index_checks", default=False
)
_F = TypeVar("_F", bound=Callable[..., Any])


@dataclasses.dataclass(frozen=True)
class IndexRange:
    """Every element of an index array lies in `[0, size)`; `origin` says why
    (`"arange over seq:n"`, `"argmax over class:10"`), `axis` whose positions
    they are (`seq`, `class`), when there is one."""

    size: Any
    origin: str
    axis: str | None = None


def index_range(x: Any) -> IndexRange | None:
    """The range an index array is known to lie in, or `None`."""
    return getattr(x, _ATTRIBUTE, None)


def ranged(x: Any, size: Any, origin: str, axis: str | None = None) -> Any:
    """`x`, known from now on to hold positions in `[0, size)` (of `axis`)."""
    object.__setattr__(x, _ATTRIBUTE, IndexRange(size, origin, axis))
    return x


def keep_range(source: Any, result: Any) -> Any:
    """`result` with `source`'s range, for operations that keep the values
    (a rename, a reordering, a slice, an integer cast)."""
    known = index_range(source)
    if known is not None and jnp.issubdtype(result.dtype, jnp.integer):
        object.__setattr__(result, _ATTRIBUTE, known)
    return result


def check_range(indices: Any, n: Any, axis: str, op: str) -> None:
    """Indices of a known range fit an axis of `n` positions: decided for
    concrete sizes, proven for symbolic ones (else the constraint is asked for)."""
    known = index_range(indices)
    if known is None:
        return
    claim = f"{fmt(known.size)} <= {fmt(n)}"
    involved = ((axis, n), *(((known.axis, known.size),) if known.axis else ()))
    try:
        fits = holds(
            lambda: n >= known.size,
            claim,
            op=op,
            argument="indices",
            axis=axis,
            sizes=(n, known.size),
        )
    except errors.AxisError as undecided:
        undecided.involved = involved
        raise
    if not fits:
        error = errors.indices_out_of_range(op, axis, known.size, n, origin=known.origin)
        error.involved = involved
        raise error


def check_traced(indices: Any, n: Any, axis: str, op: str) -> None:
    """Inside `checked_indices`: a device-side check that every traced index lies
    in `[-n, n)`, raised by `checked_indices` when one does not."""
    if not _CHECKING.get():
        return
    from jax.experimental import checkify  # only when checks are asked for

    inside = jnp.all((indices >= -n) & (indices < n))
    # checkify formats the message with str.format: no braces in it.
    checkify.check(inside, f"{op}: an index in `indices` is out of range for axis `{axis}` (={n})")


def checked_indices(fn: _F) -> _F:
    """`fn`, jitted, with every traced index checked on the device.

    Under `jax.jit` an index out of range cannot be seen while tracing, and JAX
    gives the fill value (NaN for floats). The function returned runs `fn` under
    `jax.experimental.checkify`, with `take` and indexing by an index array
    adding a check of each index; an index out of range raises
    `jax.experimental.checkify.JaxRuntimeError` naming the operation and the
    axis. Pass `fn` itself, not a jitted `fn` (its trace would be reused
    without the checks); the checks cost one comparison per index.

    Examples:
        >>> table = tl.named(jnp.arange(4.0), "pos")
        >>> lookup = tl.checked_indices(lambda i: table[{"pos": i}])
        >>> lookup(tl.named(jnp.array([1, 3]), "seq")).data
        Array([1., 3.], dtype=float32)
    """

    @functools.wraps(fn)
    def traced(*args: Any, **kwargs: Any) -> Any:
        token = _CHECKING.set(True)
        try:
            return fn(*args, **kwargs)
        finally:
            _CHECKING.reset(token)

    from jax.experimental import checkify

    run = jax.jit(checkify.checkify(traced, errors=checkify.user_checks))

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        error, out = run(*args, **kwargs)
        error.throw()
        return out

    return call  # type: ignore[return-value]
