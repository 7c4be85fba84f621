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

import functools
import typing
from typing import TYPE_CHECKING, Any

import jaxtyping

from .sizes import NAME_RULE, name_problem

__all__ = ["Bool", "Float", "Int", "Integer", "Num", "Shaped", "UInt"]


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
        problem = name_problem(name)
        if problem is not None:
            raise ValueError(f'annotation "{text}": the axis name `{name}` {problem}; {NAME_RULE}')
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

    `Shaped` takes any element type; `Float` floating point, `Int` signed and
    `UInt` unsigned integers, `Integer` either, `Num` any number, `Bool` booleans.
    In the axes string, `name` is an axis of any size, `name:n` one whose size is
    the symbol `n` (the same in every annotation of a call), `name:28` a fixed
    size, and `...` any further axes.

    Examples:
        >>> Image = tl.Float[tl.NamedArray, "batch channels:c height:28 width:28"]
        >>> isinstance(tl.named(jnp.zeros((2, 1, 28, 28)), "batch channels height width"), Image)
        True
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
    from typing import Annotated as Integer
    from typing import Annotated as Num
    from typing import Annotated as Shaped
    from typing import Annotated as UInt
else:
    Shaped = _Kind("Shaped", jaxtyping.Shaped)
    Float = _Kind("Float", jaxtyping.Float)
    Int = _Kind("Int", jaxtyping.Int)  # signed integers
    UInt = _Kind("UInt", jaxtyping.UInt)  # unsigned integers
    Integer = _Kind("Integer", jaxtyping.Integer)  # either
    Num = _Kind("Num", jaxtyping.Num)
    Bool = _Kind("Bool", jaxtyping.Bool)
