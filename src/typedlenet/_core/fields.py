"""Typed module fields: named annotations on an equinox module's fields, checked
together, with sizes bound once per module.

    class Linear(tl.TypedModule):
        W: Float[NamedArray, "inp:i out:o"]
        b: Float[NamedArray, "out:o"]

        @tl.typechecked
        def __call__(self, x: Float[NamedArray, "... inp:i"]) -> Float[NamedArray, "... out:o"]:
            ...

The fields are checked when the module is built (`__check_init__`) and whenever a
checked method is called (so a module edited by `eqx.tree_at` or deserialised is
checked at its first use; `check_fields` checks one on demand). A checked method
sees the fields' bindings: `i` in an argument's annotation must be the size the
field `W` gave it, and an error says which field bound it.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import equinox as eqx

from .._config import state
from .annotations import _NamedMeta
from .diagnose import explain_value, named_annotation

__all__ = ["TypedModule", "check_fields", "field_bindings", "typed_fields"]


@functools.cache
def typed_fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """The fields of `cls` (bases first) whose annotation is a named one, or a union
    holding one (`Float[NamedArray, "..."] | None`)."""
    out: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass is object or not hasattr(klass, "__annotations__"):
            continue
        try:
            hints = inspect.get_annotations(klass, eval_str=True)
        except Exception:  # an annotation that cannot be resolved is not ours to check
            continue
        for name, hint in hints.items():
            if isinstance(hint, _NamedMeta) or any(
                isinstance(arg, _NamedMeta) for arg in getattr(hint, "__args__", ())
            ):
                out[name] = hint
    return tuple(out.items())


def field_bindings(module: Any) -> dict[str, tuple[Any, str]]:
    """Check `module`'s typed fields together; return the sizes they bind, each as
    `symbol -> (size, where it was bound)`. Raises `AxisTypeError` naming the
    module, the field, the axis and both sizes."""
    memo: dict[str, tuple[Any, str]] = {}
    title = type(module).__name__
    for name, hint in typed_fields(type(module)):
        value = getattr(module, name, None)
        cls = named_annotation(hint, value)
        if cls is None:
            continue
        error = explain_value(title, f"field `{name}`", cls, value, memo, {})
        if error is not None:
            raise error
    return memo


def check_fields(module: Any) -> Any:
    """Check `module`'s typed fields (after `eqx.tree_at`, say); return the module."""
    field_bindings(module)
    return module


def has_typed_fields(obj: Any) -> bool:
    return isinstance(obj, eqx.Module) and bool(typed_fields(type(obj)))


class TypedModule(eqx.Module):
    """An equinox module whose named field annotations are checked at construction,
    with sizes shared across fields (and seen by its `typechecked` methods)."""

    def __check_init__(self) -> None:
        if state.checks:
            field_bindings(self)
