"""Checked functions: `typechecked`, and the switch that turns checks off."""

from __future__ import annotations

import contextlib
import functools
import inspect
import re
import threading
import typing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import beartype
import jaxtyping
from beartype.roar import BeartypeCallHintViolation

from .._config import state
from . import errors
from .annotations import _NamedMeta
from .diagnose import _eval_dim, explain_arguments, explain_call, explain_return
from .errors import AxisError, AxisTypeError
from .fields import field_bindings, has_typed_fields
from .sizes import fmt, holds

__all__ = ["checks", "checks_enabled", "set_checks", "typechecked"]

_F = TypeVar("_F", bound=Callable[..., Any])


def checks_enabled() -> bool:
    """Whether checked functions check their annotations when called."""
    return state.checks


def set_checks(enabled: bool) -> bool:
    """Turn annotation checks on or off for the whole process; return the old setting.

    The default is on, or off when the environment variable `TYPEDLENET_CHECKS`
    is `0`, `false`, `off` or `no` (read on first use). Under `jax.jit` the checks run
    while tracing only, so a compiled function costs the same either way.
    """
    previous, state.checks = state.checks, bool(enabled)
    return previous


@contextlib.contextmanager
def checks(enabled: bool) -> Iterator[None]:
    """Context manager: annotation checks on (`True`) or off (`False`) inside."""
    previous = set_checks(enabled)
    try:
        yield
    finally:
        set_checks(previous)


_calls = threading.local()


def typechecked(fn: _F) -> _F:
    """Check `fn`'s annotations on every call (jaxtyping's memo, beartype's check).

    Named-axis annotations (`Float[NamedArray, "..."]`) and any other
    annotation beartype understands are enforced; a violation raises
    `AxisTypeError` whose first line names the function, the argument (or the
    return value), the axis and both sizes. `set_checks(False)` skips the check.

    Examples:
        >>> @tl.typechecked
        ... def features(
        ...     x: tl.Float[tl.NamedArray, "batch features:3"],
        ... ) -> tl.Float[tl.NamedArray, "batch"]:
        ...     return tl.sum(x, "features")
        >>> features(tl.named(jnp.ones((2, 3)), "batch features"))
        f32[batch:2]
        >>> features(tl.named(jnp.ones((2, 4)), "batch features"))
        Traceback (most recent call last):
        ...
        typedlenet.AxisTypeError: features(): argument `x`, axis `features`: expected size 3, got 4
        ...
    """

    implied: list[str] = []

    @functools.wraps(fn)
    def body(*args: Any, **kwargs: Any) -> Any:
        state = _calls.stack[-1]
        state["phase"] = "body"
        try:
            out = fn(*args, **kwargs)
        except AxisError as error:
            if implied:  # was it the call's arguments, against what the return implies?
                _preconditions(fn, implied, args, kwargs, error)
            raise
        state["phase"] = "return"
        state["out"] = out
        return out

    checked: list[Callable[..., Any]] = []

    def build() -> Callable[..., Any]:
        # Annotations are resolved in `fn`'s module on first use, so that they
        # may name things defined after `fn` (and `from __future__ import
        # annotations` is fine).
        body.__signature__ = inspect.signature(fn, eval_str=True)  # type: ignore[attr-defined]
        body.__annotations__ = inspect.get_annotations(fn, eval_str=True)
        implied.extend(_size_expressions(body.__annotations__.get("return")))
        checked.append(jaxtyping.jaxtyped(typechecker=beartype.beartype)(body))
        return checked[0]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not state.checks:
            return fn(*args, **kwargs)
        check = checked[0] if checked else build()
        if args and has_typed_fields(args[0]):
            return _method(fn, check, args, kwargs)
        return _checked_call(fn, check, args, kwargs)

    wrapper.__typedlenet_unchecked__ = fn  # type: ignore[attr-defined]
    return typing.cast(_F, wrapper)


def _size_expressions(annotation: Any) -> list[str]:
    """The sizes of a named return annotation written as expressions (`t-k+1`)."""
    if not isinstance(annotation, _NamedMeta):
        return []
    return [
        d
        for d in annotation._spec.symbols
        if not (d.isidentifier() or d.isdigit() or d in ("_", "...")) and "{" not in d
    ]


def _preconditions(
    fn: Callable[..., Any],
    expressions: list[str],
    args: tuple[Any, ...],
    kwargs: Any,
    cause: AxisError,
) -> None:
    """Each size the return annotation writes as an expression is a size, so at
    least 1 (`conv1d`'s `time:t-k+1` needs `t >= k`). When the body fails,
    this says whether the call's arguments broke that: then the error is the
    call's (raised from `cause`), not the body's; a precondition JAX cannot decide
    too. typedlenet's own functions keep their body's errors, which name the
    sizes already."""
    if getattr(fn, "__module__", "").startswith("typedlenet."):
        return  # the library's own body errors name the sizes already
    memo: dict[str, tuple[Any, str]] = {}
    found, arguments = explain_arguments(fn, args, kwargs, memo)
    if found is not None:
        return  # the arguments' own check reports it
    name = getattr(fn, "__qualname__", repr(fn))
    for expression in expressions:
        try:
            value = _eval_dim(expression, memo, arguments)
        except Exception:
            continue  # a symbol the arguments do not bind
        claim = f"{value} >= 1"
        words = set(re.findall(r"[A-Za-z_]\w*", expression))
        try:
            fits = holds(
                lambda value=value: value >= 1, claim, op=name, argument="return value", axis=None
            )
        except AxisError as undecided:
            undecided.involved = _involved(
                fn, set(re.findall(r"[A-Za-z_]\w*", expression)), arguments
            )
            raise undecided from cause
        if not fits:
            bound = ", ".join(f"{k}={fmt(v[0])}" for k, v in sorted(memo.items()) if k in words)
            error = errors.annotation(
                f"{name}(): its return annotation's size `{expression}` is {fmt(value)} for "
                f"{bound}: the arguments break what the annotation implies "
                f"(`{expression} >= 1`)",
                op=name,
                argument="return value",
                expected=f"{expression} >= 1",
                actual=value,
            )
            error.involved = _involved(fn, words, arguments)
            raise error from cause


def _involved(
    fn: Callable[..., Any], words: set[str], arguments: dict[str, Any]
) -> tuple[tuple[str, Any], ...]:
    """The `(axis, size)` of the arguments whose annotations bind the symbols `words`."""
    hints = inspect.get_annotations(fn, eval_str=True)
    out = []
    for name, value in arguments.items():
        hint = hints.get(name)
        if isinstance(hint, _NamedMeta) and hasattr(value, "sizes"):
            for axis, dim in zip(hint._spec.names, hint._spec.symbols):
                if dim in words and axis in value.sizes:
                    out.append((axis, value.sizes[axis]))
    return tuple(out)


def _method(
    fn: Callable[..., Any], check: Callable[..., Any], args: tuple[Any, ...], kwargs: Any
) -> Any:
    """A checked method of a module with typed fields: its arguments and return
    value are checked against the sizes the fields bind, then as any call."""
    fields = field_bindings(args[0])
    memo = dict(fields)
    found, arguments = explain_arguments(fn, args, kwargs, memo)
    if found is not None:
        raise found
    out = _checked_call(fn, check, args, kwargs, fields)
    found = explain_return(fn, out, memo, arguments)
    if found is not None:
        raise found
    return out


def _checked_call(
    fn: Callable[..., Any],
    check: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: Any,
    fields: dict[str, tuple[Any, str]] | None = None,
) -> Any:
    stack = _calls.__dict__.setdefault("stack", [])
    state: dict[str, Any] = {"phase": "arguments"}
    stack.append(state)
    try:
        return check(*args, **kwargs)
    except (jaxtyping.TypeCheckError, BeartypeCallHintViolation) as error:
        if state["phase"] == "body" or isinstance(error, AxisTypeError):
            raise
        raise explain_call(fn, args, kwargs, state, error, fields) from None
    finally:
        stack.pop()
