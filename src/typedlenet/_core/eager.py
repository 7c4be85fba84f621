"""Eager calls as one compiled call: named code without a trace per operation.

A model's method called outside any JAX transformation (a notebook, a debugger,
a test) would otherwise dispatch every named operation, and check every
annotation, one by one. `compiled_when_eager` runs such a call through
`eqx.filter_jit` instead: the checks run while tracing, and the trace is
cached by what they depend on (axis names, sizes, dtypes, static fields, and
whether checks are on), so a call that would fail still fails, with the same
error, and one that passes costs one compiled dispatch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import equinox as eqx
import jax
from jax.core import Tracer

from .._config import state
from .call_checks import checks

__all__ = ["compiled_when_eager"]

_F = TypeVar("_F", bound=Callable[..., Any])


@eqx.filter_jit
def _compiled(method: Callable[..., Any], checked: bool, self: Any, *args: Any) -> Any:
    with checks(checked):
        return method(self, *args)


def compiled_when_eager(method: _F) -> _F:
    """Decorator for a method of an equinox module: run as written under a trace,
    as one cached compiled call when its inputs are concrete."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any) -> Any:
        if any(isinstance(leaf, Tracer) for leaf in jax.tree_util.tree_leaves((self, args))):
            return method(self, *args)
        return _compiled(method, state.checks, self, *args)

    return wrapper  # type: ignore[return-value]
