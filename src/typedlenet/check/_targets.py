"""What `typedlenet check` verifies in a file, and what it does not, with why.

Every function and class defined in a checked file is either a target or a
*not verified* entry with its reason; nothing is passed over in silence.

- A function is verified when each of its parameters without a default has a
  named annotation (`Float[NamedArray, "batch:b embed:64"]`).
- An equinox module class is verified through its `__call__`'s named
  annotations, built one of three ways: from its fields' named annotations
  (`tl.TypedModule`), from a function of the file that takes no arguments and is
  annotated to return the class (`def build() -> Net:`), or from its own
  `__init__` when every argument has a default. The build runs abstractly
  (`jax.eval_shape`): no parameter is allocated.
"""

from __future__ import annotations

import dataclasses
import inspect
import pathlib
from collections.abc import Callable, Sequence
from typing import Any

import equinox as eqx
from jax import export

from .._core.annotations import _NamedMeta
from .._core.fields import typed_fields

__all__ = ["CheckError", "Skipped", "Target", "call_of", "find", "named_parameters"]


class CheckError(Exception):
    """A file that cannot be checked: unreadable, or its import failed."""


@dataclasses.dataclass
class Target:
    """A function or module class to verify, and where it is defined; `factory`
    builds a module class's instance (None: from its fields' annotations)."""

    name: str
    obj: Any
    path: str
    line: int
    constraints: tuple[str, ...]
    factory: Callable[[], Any] | None = None


@dataclasses.dataclass
class Skipped:
    """A function or class of a checked file that is not verified, and why."""

    name: str
    path: str
    line: int
    reason: str


def call_of(cls: type) -> Any:
    """The `__call__` that `cls` defines or inherits (not `object`'s), or None."""
    return next((vars(k)["__call__"] for k in cls.__mro__ if "__call__" in vars(k)), None)


def _plain(dim: str) -> bool:
    """A size an abstract input can have: a symbol, an integer, or `_` (any)."""
    return dim.isidentifier() or dim.isdigit()


def _unreadable_size(dim: str) -> str | None:
    """Why `dim` (an annotation's size: `64`, `b`, `4*m`, `h - 2`) cannot size an
    input, or None when it can (a size expression is read as JAX reads one)."""
    if _plain(dim):
        return None
    try:
        export.symbolic_shape(dim)
    except Exception as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return (
            f"cannot be read as a size expression ({first}); write it with `+`, `-`, "
            "`*`, `floordiv(a, b)` and `mod(a, b)`, or name the size and state it with "
            "@tl.constraints"
        )
    return None


def _unread(fn: Any) -> str | None:
    """Why the named annotations of `fn`'s parameters cannot make its inputs, or
    None when they can (each parameter without a default has one)."""
    try:
        hints = inspect.get_annotations(inspect.unwrap(fn), eval_str=True)
        signature = inspect.signature(inspect.unwrap(fn))
    except Exception as error:
        return f"its annotations cannot be read ({type(error).__name__}: {error})"
    named = 0
    for p in signature.parameters.values():
        if p.name == "self":
            continue
        hint = hints.get(p.name)
        if isinstance(hint, _NamedMeta):
            for dim in hint._spec.symbols:
                problem = _unreadable_size(dim)
                if problem is not None:
                    return f"parameter `{p.name}`: the size `{dim}` {problem}"
            named += 1
        elif p.default is inspect.Parameter.empty:
            return f"parameter `{p.name}` has no named annotation"
    return None if named else "no parameter has a named annotation"


def named_parameters(fn: Any) -> dict[str, _NamedMeta] | None:
    """The named annotations of `fn`'s parameters; None when they cannot make its
    inputs (see `_unread`)."""
    if _unread(fn) is not None:
        return None
    hints = inspect.get_annotations(inspect.unwrap(fn), eval_str=True)
    return {n: h for n, h in hints.items() if n != "return" and isinstance(h, _NamedMeta)}


def _line(obj: Any) -> int:
    try:
        return inspect.getsourcelines(inspect.unwrap(obj))[1]
    except (OSError, TypeError):
        return 1


def _returns(fn: Any, cls: type) -> bool:
    """Whether `fn` takes no arguments and is annotated to return `cls`."""
    try:
        signature = inspect.signature(fn)
        hint = inspect.get_annotations(fn, eval_str=True).get("return")
    except Exception:
        return False
    required = [
        p
        for p in signature.parameters.values()
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    return hint is cls and not required


def _factory(module: Any, cls: type) -> Callable[[], Any] | None:
    """A way to build `cls` with no arguments: a function of `module` annotated to
    return it, or its own `__init__` when every argument has a default."""
    for obj in vars(module).values():
        if inspect.isfunction(obj) and obj.__module__ == module.__name__ and _returns(obj, cls):
            return obj
    init = vars(cls).get("__init__") or getattr(cls, "__init__", None)
    if init is None or init is object.__init__:
        return None
    try:
        signature = inspect.signature(init)
    except (TypeError, ValueError):
        return None
    params = [p for p in signature.parameters.values() if p.name != "self"]
    if params and all(
        p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        for p in params
    ):
        return cls
    return None


def _module_target(module: Any, cls: type) -> tuple[Callable[[], Any] | None, str | None]:
    """`(factory, None)` for a module class that can be verified (factory None: from
    its typed fields), or `(None, reason)`."""
    call = call_of(cls)
    if call is None:
        return None, "an equinox module without `__call__`"
    unread = _unread(call)
    if unread is not None:
        return None, f"its `__call__`: {unread}"
    fields = [f.name for f in dataclasses.fields(cls)]
    typed = {name for name, _ in typed_fields(cls)}
    defaults = {
        f.name
        for f in dataclasses.fields(cls)
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    }
    if typed and all(name in typed or name in defaults for name in fields):
        return None, None
    factory = _factory(module, cls)
    if factory is not None:
        return factory, None
    return None, (
        "a module whose fields are not all named annotations, with no way to build it: "
        f"add a function `def build() -> {cls.__name__}:` taking no arguments, or give "
        "every `__init__` argument a default"
    )


def find(
    module: Any, path: pathlib.Path, only: str | None, extra: Sequence[str]
) -> tuple[list[Target], list[Skipped]]:
    """The targets of `module` (defined in `path`) and the functions and classes
    that are not verified, each with its reason; with `only`, that one name."""
    found: list[Target] = []
    skipped: list[Skipped] = []
    module_claims = tuple(getattr(module, "CONSTRAINTS", ())) + tuple(extra)
    for name, obj in vars(module).items():
        if only is not None and name != only:
            continue
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        factory: Callable[[], Any] | None = None
        reason: str | None
        if inspect.isclass(obj):
            if not issubclass(obj, eqx.Module):
                reason = "a class that is not an equinox module"
            else:
                factory, reason = _module_target(module, obj)
        elif callable(obj) and (inspect.isfunction(obj) or hasattr(obj, "__wrapped__")):
            reason = _unread(obj)
        else:
            continue
        line = _line(obj)
        if reason is not None:
            skipped.append(Skipped(name, str(path), line, reason))
            continue
        claims = module_claims + tuple(getattr(obj, "__typedlenet_constraints__", ()))
        found.append(Target(name, obj, str(path), line, claims, factory))
    builders = {id(t.factory): t.name for t in found if inspect.isfunction(t.factory)}
    for entry in skipped:
        built = builders.get(id(vars(module).get(entry.name)))
        if built is not None:
            entry.reason = f"it builds `{built}` (abstractly) for `{built}`'s check"
    if only is not None and not found:
        why = f": {skipped[0].reason}" if skipped else ""
        raise CheckError(
            f"{path}: `{only}` cannot be verified{why}"
            if skipped
            else (f"{path}: no function or module class `{only}` with named annotations")
        )
    return sorted(found, key=lambda t: t.line), sorted(skipped, key=lambda s: s.line)
