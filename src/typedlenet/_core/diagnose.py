"""Turning a failed annotation check into an error a person can read.

beartype and jaxtyping say *that* a call broke its annotations; this module
finds *where*: the argument (or the return value), the axis, and both sizes,
with the symbol that bound the expected size.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from typing import Any

import beartype
import beartype.door

from . import errors
from .annotations import _NamedMeta, _names_problem
from .errors import AxisTypeError
from .size_text import fmt

__all__ = ["explain_arguments", "explain_call", "explain_return", "explain_value"]


def named_annotation(annotation: Any, value: Any) -> _NamedMeta | None:
    if isinstance(annotation, _NamedMeta):
        return annotation
    if value is not None:
        for arg in typing.get_args(annotation):
            if isinstance(arg, _NamedMeta):
                return arg
    return None


def _eval_dim(dim: str, memo: dict[str, Any], arguments: dict[str, Any]) -> Any:
    text = eval(f"f'{dim}'", dict(arguments)) if "{" in dim else dim
    return eval(text, {"__builtins__": {}}, {k: v[0] for k, v in memo.items()})


def explain_value(
    fn_name: str,
    argument: str,
    cls: _NamedMeta,
    value: Any,
    memo: dict[str, tuple[Any, str]],
    arguments: dict[str, Any],
) -> AxisTypeError | None:
    spec = cls._spec
    head = f"{fn_name}(): {argument}"
    if not getattr(value, "__named_axes__", False):
        return errors.annotation(
            f"{head}: expected a NamedArray, got {type(value).__name__}",
            op=fn_name,
            argument=argument,
        )
    shown = f"\n  {argument}: {value!r}\n  annotation: {cls!r}"
    problem = _names_problem(spec, value.names)
    if problem is not None:
        axis, what = problem
        return errors.annotation(
            f"{head}: {what}{shown}",
            op=fn_name,
            argument=argument,
            axis=axis,
            expected=spec.names,
            actual=value.names,
        )
    if not cls._dtype_ok(value.dtype):
        return errors.annotation(
            f"{head}: dtype {value.dtype} is not {_article(cls._kind)} {cls._kind} dtype{shown}",
            op=fn_name,
            argument=argument,
            expected=cls._kind,
            actual=str(value.dtype),
        )
    sizes = value.sizes
    for name, dim, symbol in zip(spec.names, spec.dims, spec.symbols):
        actual = sizes[name]
        if dim == "_":
            continue
        if dim.isdigit():
            expected, why = int(dim), ""
        elif symbol.isidentifier():
            if symbol not in memo:
                memo[symbol] = (actual, f"{argument}, axis `{name}`")
                continue
            expected, source = memo[symbol]
            why = f" ({dim}, bound by {source})"
        else:
            try:
                expected = _eval_dim(symbol, memo, arguments)
            except Exception as exc:  # a symbol never bound, or bad arithmetic
                return errors.annotation(
                    f"{head}, axis `{name}`: cannot evaluate size `{dim}` ({exc}){shown}",
                    op=fn_name,
                    argument=argument,
                    axis=name,
                    actual=actual,
                )
            why = f" ({dim}{_values_used(symbol, memo, arguments)})"
            if isinstance(expected, float) and not expected.is_integer():
                why = why[:-1] + ", not a whole number)"
        if expected != actual:
            return errors.annotation(
                f"{head}, axis `{name}`: expected size {_fmt(expected)}{why}, got {actual}{shown}",
                op=fn_name,
                argument=argument,
                axis=name,
                expected=expected,
                actual=actual,
            )
    return None


def _values_used(dim: str, memo: dict[str, tuple[Any, str]], arguments: dict[str, Any]) -> str:
    """`" with h=8, kh=3"`: the symbols and arguments that size expression `dim` uses."""
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", dim))
    used = [f"{k}={v[0]}" for k, v in memo.items() if k in words]
    used += [f"{k}={v}" for k, v in arguments.items() if "{" + k + "}" in dim]
    return f" with {', '.join(used)}" if used else ""


def _article(word: str) -> str:
    return "an" if word[0] in "AEIOU" else "a"


def _fmt(size: Any) -> str:
    if isinstance(size, float) and not size.is_integer():
        return f"{size:.4g}"
    if isinstance(size, float) and size.is_integer():
        return str(int(size))
    return fmt(size, grouped=False)


def explain_arguments(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    memo: dict[str, tuple[Any, str]],
) -> tuple[AxisTypeError | None, dict[str, Any]]:
    """The first argument of a call of `fn` that breaks its annotation (None if
    none does), with sizes bound in `memo` (which may come pre-seeded, by a
    module's fields), and the bound arguments."""
    fn_name = getattr(fn, "__qualname__", repr(fn))
    signature = inspect.signature(fn, eval_str=True)
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    for name, parameter in signature.parameters.items():
        value = arguments.get(name)
        cls = named_annotation(parameter.annotation, value)
        if cls is None:
            if not _bearable(value, parameter.annotation):
                return _not_a(fn_name, f"argument `{name}`", value, parameter), arguments
            continue
        found = explain_value(fn_name, f"argument `{name}`", cls, value, memo, arguments)
        if found is not None:
            return found, arguments
    return None, arguments


def explain_return(
    fn: Callable[..., Any], out: Any, memo: dict[str, tuple[Any, str]], arguments: dict[str, Any]
) -> AxisTypeError | None:
    """What is wrong with `fn`'s return value `out`, given the sizes in `memo`."""
    fn_name = getattr(fn, "__qualname__", repr(fn))
    annotation = inspect.signature(fn, eval_str=True).return_annotation
    cls = named_annotation(annotation, out)
    if cls is None:
        return None
    return explain_value(fn_name, "return value", cls, out, memo, arguments)


def explain_call(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    state: dict[str, Any],
    error: Exception,
    memo: dict[str, tuple[Any, str]] | None = None,
) -> AxisTypeError:
    fn_name = getattr(fn, "__qualname__", repr(fn))
    memo = dict(memo or {})  # a module's field bindings, when `fn` is its method
    found, arguments = explain_arguments(fn, args, kwargs, memo)
    if found is None and state["phase"] == "return":
        found = explain_return(fn, state.get("out"), memo, arguments)
    if found is not None:
        return _keep(found, error)
    # Not found again: beartype checks one random item of a container, so a
    # second look can miss what the first saw. Show every argument instead.
    where = "the return value" if state["phase"] == "return" else "an argument"
    called = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    signature = inspect.signature(fn, eval_str=True)
    return _keep(
        errors.annotation(
            f"{fn_name}(): {where} does not match its annotation\n"
            f"  called with: {called}\n  signature: {signature}",
            op=fn_name,
        ),
        error,
    )


def _bearable(value: Any, annotation: Any) -> bool:
    if annotation is inspect.Parameter.empty:
        return True
    try:
        return beartype.door.is_bearable(value, annotation)
    except Exception:  # an annotation beartype cannot judge alone
        return True


def _not_a(fn_name: str, argument: str, value: Any, parameter: inspect.Parameter) -> AxisTypeError:
    annotation = parameter.annotation
    hint = getattr(annotation, "__name__", None) if isinstance(annotation, type) else None
    # A generic (`Mapping[str, int]`) in full: its contents may be what is wrong.
    hint = hint or str(annotation).replace("typing.", "").replace("collections.abc.", "")
    return errors.annotation(
        f"{fn_name}(): {argument}: {value!r} ({type(value).__name__}) is not a `{hint}`",
        op=fn_name,
        argument=argument,
        actual=value,
    )


def _keep(found: AxisTypeError, error: Exception) -> AxisTypeError:
    """Keep the checker's own report on the error, for whoever wants all of it."""
    found.checker_report = str(error)  # type: ignore[attr-defined]
    return found
