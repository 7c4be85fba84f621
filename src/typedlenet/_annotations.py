"""The annotation language: named axes and their sizes, checked at call time.

`Float[NamedArray, "... channels:c height:h width:w"]` reads: a floating-point
`NamedArray` with the axes `channels`, `height` and `width` (stored in any
order), whose sizes are bound to the symbols `c`, `h` and `w`, and any further
axes (`...`, the lifted ones). A size may be a symbol, an integer, `_` (any
size), or an expression of symbols and of the call's own arguments in braces
(`h-kh+1`, `h/{kh}`), as jaxtyping writes them. An axis written without a size
(`batch`) binds a symbol of its own name.

Under `typechecked`, symbols are bound once per call across all arguments and
the return value (jaxtyping's memo), and the check is made by beartype. A
violation raises `AxisTypeError` naming the function, the argument, the axis and
both sizes.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import re
import threading
import typing
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import beartype
import beartype.door
import jaxtyping
from beartype.roar import BeartypeCallHintViolation

from ._errors import AxisTypeError

__all__ = [
    "Bool",
    "Float",
    "Int",
    "Num",
    "Shaped",
    "checks",
    "checks_enabled",
    "set_checks",
    "typechecked",
]

_F = TypeVar("_F", bound=Callable[..., Any])


# --- the switch ---------------------------------------------------------------

_enabled = os.environ.get("TYPEDLENET_CHECKS", "1").strip().lower() not in {
    "0",
    "false",
    "off",
    "no",
}


def checks_enabled() -> bool:
    """Whether checked functions check their annotations when called."""
    return _enabled


def set_checks(enabled: bool) -> bool:
    """Turn annotation checks on or off for the whole process; return the old setting.

    The default is on, or off when the environment variable `TYPEDLENET_CHECKS`
    is `0`, `false`, `off` or `no` at import time. Under `jax.jit` the checks run
    while tracing only, so a compiled function costs the same either way.
    """
    global _enabled
    previous, _enabled = _enabled, bool(enabled)
    return previous


@contextlib.contextmanager
def checks(enabled: bool) -> Iterator[None]:
    """Context manager: annotation checks on (`True`) or off (`False`) inside."""
    previous = set_checks(enabled)
    try:
        yield
    finally:
        set_checks(previous)


# --- specs --------------------------------------------------------------------


def _symbol(name: str) -> str:
    """A Python identifier standing for the size of a bare axis `name`."""
    if name.isidentifier():
        return name
    return "".join(c if c.isalnum() or c == "_" else f"_x{ord(c):x}_" for c in name)


class _Spec(typing.NamedTuple):
    text: str
    names: tuple[str, ...]
    dims: tuple[str, ...]  # as written, for messages
    symbols: tuple[str, ...]  # as given to jaxtyping
    ellipsis: bool


@functools.cache
def _parse_spec(text: str) -> _Spec:
    names: list[str] = []
    dims: list[str] = []
    symbols: list[str] = []
    ellipsis = False
    for token in text.split():
        if token == "...":
            if ellipsis:
                raise ValueError(f'annotation "{text}" has `...` twice')
            ellipsis = True
            continue
        name, colon, dim = token.partition(":")
        if not name:
            raise ValueError(f'annotation "{text}": token `{token}` has no axis name')
        if colon and not dim:
            raise ValueError(f'annotation "{text}": axis `{name}` has `:` but no size')
        if name in names:
            raise ValueError(f'annotation "{text}" names axis `{name}` twice')
        if not colon:
            dim = name
        names.append(name)
        dims.append(dim)
        symbols.append(_symbol(name) if not colon else dim)
    return _Spec(text, tuple(names), tuple(dims), tuple(symbols), ellipsis)


class _Dims:
    """What jaxtyping sees of a NamedArray: sizes in the annotation's order."""

    __slots__ = ("dtype", "shape")

    def __init__(self, shape: tuple[Any, ...], dtype: Any) -> None:
        self.shape = shape
        self.dtype = dtype


def _names_problem(spec: _Spec, names: tuple[str, ...]) -> tuple[str, str] | None:
    """(axis, what is wrong) when `names` do not fit `spec`, else None."""
    for name in spec.names:
        if name not in names:
            return name, f"missing axis `{name}` (it has {_list(names)})"
    if not spec.ellipsis:
        for name in names:
            if name not in spec.names:
                return name, (
                    f"unexpected axis `{name}` (the annotation names "
                    f"{_list(spec.names)} and no `...`)"
                )
    return None


def _list(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else "no axes"


class _NamedMeta(type):
    _spec: _Spec
    _kind: str
    _jaxtyping_type: Any

    def __instancecheck__(cls, obj: Any) -> bool:
        return cls._check(obj)

    def _check(cls, obj: Any) -> bool:
        if not getattr(obj, "__named_axes__", False) or isinstance(obj, type):
            return False
        names = obj.names
        spec = cls._spec
        if _names_problem(spec, names) is not None:
            return False
        shape = obj.shape
        where = {n: i for i, n in enumerate(names)}
        lifted = tuple(s for n, s in zip(names, shape) if n not in spec.names)
        ordered = tuple(shape[where[n]] for n in spec.names)
        return isinstance(_Dims(lifted + ordered, obj.dtype), cls._jaxtyping_type)

    def _dtype_ok(cls, dtype: Any) -> bool:
        return isinstance(_Dims((), dtype), getattr(jaxtyping, cls._kind)[_Dims, ""])

    def __repr__(cls) -> str:
        return f'{cls._kind}[NamedArray, "{cls._spec.text}"]'


class _Kind:
    """`Float`, `Int`, ...: subscript with `[NamedArray, "axes"]` for a named type.

    Any other array type is passed through to jaxtyping's type of the same name,
    so `Float[jax.Array, "b c"]` keeps its usual (positional) meaning.
    """

    def __init__(self, name: str, jaxtyping_kind: Any) -> None:
        self._name = name
        self._jaxtyping_kind = jaxtyping_kind

    def __repr__(self) -> str:
        return f"typedlenet.{self._name}"

    def __getitem__(self, item: tuple[Any, str]) -> Any:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise TypeError(f'write `{self._name}[NamedArray, "axis ..."]`, got {item!r}')
        array_type, spec = item
        if getattr(array_type, "__named_axes__", False):
            return self._named(spec)
        return self._jaxtyping_kind[array_type, spec]

    @functools.cache  # noqa: B019 (a handful of kinds, kept forever)
    def _named(self, text: str) -> type:
        spec = _parse_spec(text)
        dims = ("... " if spec.ellipsis else "") + " ".join(spec.symbols)
        # The class's own name is its repr, so that unions of it print the same
        # way (beartype insists on that).
        title = f'{self._name}[NamedArray, "{text}"]'
        return _NamedMeta(
            title,
            (),
            {
                "_spec": spec,
                "_kind": self._name,
                "_jaxtyping_type": self._jaxtyping_kind[_Dims, dims],
                "__module__": "builtins",
                "__qualname__": title,
            },
        )


if TYPE_CHECKING:
    from typing import Annotated as Bool
    from typing import Annotated as Float
    from typing import Annotated as Int
    from typing import Annotated as Num
    from typing import Annotated as Shaped
else:
    Shaped = _Kind("Shaped", jaxtyping.Shaped)
    Float = _Kind("Float", jaxtyping.Float)
    Int = _Kind("Int", jaxtyping.Int)
    Num = _Kind("Num", jaxtyping.Num)
    Bool = _Kind("Bool", jaxtyping.Bool)


# --- the checked-function decorator -------------------------------------------

_calls = threading.local()


def typechecked(fn: _F) -> _F:
    """Check `fn`'s annotations on every call (jaxtyping's memo, beartype's check).

    Named-axis annotations (`Float[NamedArray, "..."]`) and any other
    annotation beartype understands are enforced; a violation raises
    `AxisTypeError` whose first line names the function, the argument (or the
    return value), the axis and both sizes. `set_checks(False)` skips the check.
    """

    @functools.wraps(fn)
    def body(*args: Any, **kwargs: Any) -> Any:
        state = _calls.stack[-1]
        state["phase"] = "body"
        out = fn(*args, **kwargs)
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
        checked.append(jaxtyping.jaxtyped(typechecker=beartype.beartype)(body))
        return checked[0]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _enabled:
            return fn(*args, **kwargs)
        check = checked[0] if checked else build()
        stack = _calls.__dict__.setdefault("stack", [])
        state: dict[str, Any] = {"phase": "arguments"}
        stack.append(state)
        try:
            return check(*args, **kwargs)
        except (jaxtyping.TypeCheckError, BeartypeCallHintViolation) as error:
            if state["phase"] == "body" or isinstance(error, AxisTypeError):
                raise
            raise _explain_call(fn, args, kwargs, state, error) from None
        finally:
            stack.pop()

    wrapper.__typedlenet_unchecked__ = fn  # type: ignore[attr-defined]
    return typing.cast(_F, wrapper)


# --- turning a failed check into a readable error -----------------------------


def _named_annotation(annotation: Any, value: Any) -> _NamedMeta | None:
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


def _explain_value(
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
        return AxisTypeError(
            f"{head}: expected a NamedArray, got {type(value).__name__}",
            op=fn_name,
            argument=argument,
        )
    shown = f"\n  {argument}: {value!r}\n  annotation: {cls!r}"
    problem = _names_problem(spec, value.names)
    if problem is not None:
        axis, what = problem
        return AxisTypeError(
            f"{head}: {what}{shown}",
            op=fn_name,
            argument=argument,
            axis=axis,
            expected=spec.names,
            actual=value.names,
        )
    if not cls._dtype_ok(value.dtype):
        return AxisTypeError(
            f"{head}: dtype {value.dtype} is not a {cls._kind} dtype{shown}",
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
                return AxisTypeError(
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
            return AxisTypeError(
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


def _fmt(size: Any) -> str:
    if isinstance(size, float) and not size.is_integer():
        return f"{size:.4g}"
    if isinstance(size, float) and size.is_integer():
        return str(int(size))
    return str(size)


def _explain_call(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    state: dict[str, Any],
    error: Exception,
) -> AxisTypeError:
    fn_name = getattr(fn, "__qualname__", repr(fn))
    signature = inspect.signature(fn, eval_str=True)
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    memo: dict[str, tuple[Any, str]] = {}
    for name, parameter in signature.parameters.items():
        value = arguments.get(name)
        cls = _named_annotation(parameter.annotation, value)
        if cls is None:
            if not _bearable(value, parameter.annotation):
                return _keep(_not_a(fn_name, f"argument `{name}`", value, parameter), error)
            continue
        found = _explain_value(fn_name, f"argument `{name}`", cls, value, memo, arguments)
        if found is not None:
            return _keep(found, error)
    if state["phase"] == "return":
        cls = _named_annotation(signature.return_annotation, state.get("out"))
        if cls is not None:
            found = _explain_value(fn_name, "return value", cls, state.get("out"), memo, arguments)
            if found is not None:
                return _keep(found, error)
    # Not found again: beartype checks one random item of a container, so a
    # second look can miss what the first saw. Show every argument instead.
    where = "the return value" if state["phase"] == "return" else "an argument"
    called = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return _keep(
        AxisTypeError(
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
    hint = getattr(parameter.annotation, "__name__", None) or str(parameter.annotation)
    return AxisTypeError(
        f"{fn_name}(): {argument}: {value!r} ({type(value).__name__}) is not a `{hint}`",
        op=fn_name,
        argument=argument,
        actual=value,
    )


def _keep(found: AxisTypeError, error: Exception) -> AxisTypeError:
    """Keep the checker's own report on the error, for whoever wants all of it."""
    found.checker_report = str(error)  # type: ignore[attr-defined]
    return found
