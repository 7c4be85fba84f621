"""Axis sizes and axis names: what each may be, and the errors when they are not.

A size is a Python or numpy integer, or one of JAX's symbolic sizes (from
`tl.symbols` or `jax.export.symbolic_shape`), so that a program verified for a
symbolic batch, kernel or class count runs the same checks as a concrete one.
A comparison of symbolic sizes that JAX cannot decide becomes an `AxisError`
naming the operation, the axis and the constraint that would decide it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import jax
import numpy as np
from jax import export

from . import errors
from .errors import AxisError
from .size_text import fmt

__all__ = [
    "NAME_RULE",
    "Names",
    "Size",
    "as_names",
    "check_unique",
    "clash",
    "divides",
    "equal",
    "fmt",
    "holds",
    "is_size",
    "name_problem",
    "size",
]

Names = str | Sequence[str]
"""Axis names: a space-separated string (`"batch height"`) or a sequence of strings."""


def is_size(value: Any) -> bool:
    """Whether `value` is an integer (not a bool) or a JAX symbolic size."""
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (int, np.integer)) or export.is_symbolic_dim(value)


class _SizeMeta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return is_size(obj)


if TYPE_CHECKING:
    Size = int | Any
else:

    class Size(metaclass=_SizeMeta):
        """An axis size: an `int`, a numpy integer, or a JAX symbolic size.

        Usable in annotations (`size: Size`) and with `isinstance`.
        """


def holds(
    test: Callable[[], Any],
    claim: str,
    *,
    op: str,
    argument: str | None,
    axis: str | None,
    sizes: Sequence[Any] = (),
) -> bool:
    """Whether `test()` (a comparison of sizes) holds.

    Concrete sizes decide it at once; symbolic ones when JAX can prove it either
    way. Otherwise an `"undecidable"` `AxisError` names the operation, the axis,
    and `claim`, the constraint that would decide it, with the free symbols of
    `sizes` (the sizes compared).
    """
    try:
        return bool(test())
    except jax.errors.InconclusiveDimensionOperation:
        raise errors.undecidable(
            op, claim, claim, argument=argument, axis=axis, sizes=sizes
        ) from None


def equal(a: Any, b: Any, *, op: str, argument: str | None, axis: str | None) -> bool:
    """Whether sizes `a` and `b` are equal; JAX says `==` is False whenever it
    cannot prove equality, so a difference that is not a constant is undecided,
    an `AxisError` asking for the constraint `a == b`."""
    if a == b:
        return True
    if isinstance(a - b, int):
        return False
    raise errors.undecidable(
        op, f"{fmt(a)} == {fmt(b)}", f"{a} == {b}", argument=argument, axis=axis, sizes=(a, b)
    )


def divides(k: Any, n: Any, *, op: str, argument: str | None, axis: str | None) -> bool:
    """Whether `k` divides `n`, for sizes; undecided (symbolic, not provable either
    way) is an `AxisError` asking for the constraint `mod(n, k) == 0`."""
    rest = n % k
    if isinstance(rest, int):
        return rest == 0
    if rest == 0:
        return True
    raise errors.undecidable(
        op,
        f"{fmt(k)} divides {fmt(n)}",
        f"mod({n}, {k}) == 0",
        argument=argument,
        axis=axis,
        sizes=(k, n),
    )


def size(value: Any, *, op: str, argument: str, minimum: int = 1) -> Any:
    """`value` checked as a size of at least `minimum`: an int for integer types,
    the symbol itself for a symbolic size; a `TypeError` or `AxisError` naming
    `argument` otherwise."""
    if not is_size(value):
        raise TypeError(
            f"{op}: `{argument}` must be an integer or a symbolic size, got {value!r} "
            f"({type(value).__name__})"
        )
    if isinstance(value, (int, np.integer)):
        value = int(value)
    claim = f"{fmt(value)} >= {minimum}"
    if not holds(
        lambda: value >= minimum, claim, op=op, argument=argument, axis=None, sizes=(value,)
    ):
        raise errors.bad_argument(
            op, argument, value, must=f"be at least {minimum}", expected=f">= {minimum}"
        )
    return value


def clash(
    op: str,
    axis: str,
    first: Any,
    first_in: str,
    second: Any,
    second_in: str,
    *,
    argument: str | None = None,
) -> AxisError:
    """The error for axis `axis` met with two sizes: `first` in `first_in` and
    `second` in `second_in`.

    Two symbolic expressions of the same symbols that JAX cannot prove equal
    (`h` and `4*floordiv(h, 4)`, after pooling twice and upsampling twice) may
    be equal for some sizes: that is an `"undecidable"` error asking for the
    constraint, so that a checker can say for which sizes they agree."""
    if _same_symbols(first, second):
        return errors.undecidable(
            op,
            f"{fmt(first)} == {fmt(second)} ({first_in} and {second_in})",
            f"{first} == {second}",
            argument=argument if argument is not None else second_in,
            axis=axis,
            sizes=(first, second),
        )
    error = errors.size_clash(
        op, axis, first, second, expected_in=first_in, actual_in=second_in, argument=argument
    )
    if str(first) == str(second):  # one name, two symbols: say so
        error.args = (
            f"{error.args[0]} (two different symbols named `{first}`, from different "
            "scopes: make the sizes of all inputs with one `tl.symbols` call)",
        )
    return error


def _same_symbols(a: Any, b: Any) -> bool:
    """Whether `a` and `b` are symbolic sizes of the same free symbols whose
    difference is not a constant (so equal for some sizes, not for others)."""
    vars_a, vars_b = getattr(a, "get_vars", None), getattr(b, "get_vars", None)
    if vars_a is None or vars_b is None:
        return False
    try:
        difference = a - b
    except Exception:
        return False
    return not isinstance(difference, int) and set(vars_a()) == set(vars_b())


NAME_RULE = (
    "an axis name is a non-empty string with no whitespace and no `:`, that does "
    "not start with a digit and is not `_` or `...`"
)


@functools.cache
def name_problem(name: str) -> str | None:
    """What makes `name` unfit as an axis name (see `NAME_RULE`), or None."""
    if not name:
        return "is empty"
    if any(c.isspace() for c in name):
        return "contains whitespace"
    if ":" in name:
        return "contains `:`, which annotations read as `name:size`"
    if name[0].isdigit():
        return "starts with a digit, which annotations read as a size"
    if name in ("_", "..."):
        return "is reserved by the annotation language"
    return None


def as_names(names: Names, *, argument: str = "names", op: str = "named") -> tuple[str, ...]:
    """Normalise `names` to a tuple of strings; a string is split on whitespace.

    Each name must follow the grammar of annotations (`NAME_RULE`): an axis
    named `3` or `two words` would be read back as something else.
    """
    if isinstance(names, str):
        out = tuple(names.split())
    else:
        try:
            out = tuple(names)
        except TypeError:
            raise TypeError(
                f"`{argument}` must be a string or a sequence of strings, got {names!r}"
            ) from None
    for name in out:
        if not isinstance(name, str):
            raise TypeError(
                f"`{argument}` must hold strings only, got {name!r} "
                f"({type(name).__name__}) in {out!r}"
            )
        problem = name_problem(name)
        if problem is not None:
            raise errors.bad_argument(
                op,
                argument,
                must=f"hold valid axis names: the axis name {name!r} {problem}; {NAME_RULE}",
                axis=name,
            )
    return out


def check_unique(names: tuple[str, ...], op: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise errors.duplicate_axis(op, name, among=repr(names))
        seen.add(name)
