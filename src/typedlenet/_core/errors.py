"""The two errors a named-axis program can raise, and one constructor per kind.

Every `AxisError` raised by typedlenet carries a `kind` from a small closed
vocabulary (`KINDS`) and the fields that kind is about (`op`, `argument`,
`axis`, `expected`, `actual`, and `symbols` for undecidable comparisons). Each
kind has one constructor here that builds the message from those fields, so
that all errors of a kind read the same way and tools read the fields, never
the text.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from typing import Any, Literal, get_args

import jaxtyping

from .size_text import fmt

__all__ = [
    "KINDS",
    "AxisError",
    "AxisTypeError",
    "Kind",
    "annotation",
    "axes_mismatch",
    "bad_argument",
    "bad_size",
    "duplicate_axis",
    "located",
    "missing_axis",
    "not_elementwise",
    "out_of_range",
    "sharding",
    "size_clash",
    "structure_changed",
    "undecidable",
    "unexpected_axis",
]

Kind = Literal[
    "size_clash",
    "missing_axis",
    "duplicate_axis",
    "unexpected_axis",
    "axes_mismatch",
    "bad_size",
    "undecidable",
    "not_elementwise",
    "out_of_range",
    "bad_argument",
    "structure_changed",
    "sharding",
    "annotation",
    "other",
]
"""What went wrong, as a word a tool can branch on (see docs/errors.md)."""

KINDS: tuple[Kind, ...] = get_args(Kind)
"""Every `Kind`, in the order docs/errors.md lists them."""


class AxisError(ValueError):
    """An operation was asked for something its operands' axes do not allow.

    Attributes name what went wrong, so that tools can report it without
    parsing the message: `kind` (one of `KINDS`), `op` (the operation),
    `argument` (the argument or operand), `axis`, `expected` and `actual`
    (sizes or names), and `symbols` (the free size symbols of an
    `"undecidable"` comparison); any of them may be `None` (`()` for
    `symbols`) when it does not apply. `involved` lists the `(axis, size)`
    pairs the error is about, where they are not just `axis` with `expected`
    and `actual` (an index array's reach beside the table it reads; the sizes
    a precondition was computed from): tools say where each was written.
    `where` is the line of the model it was raised at, when known. An
    `"undecidable"` error from `tl.verify` may carry a `hint` (text, also a
    note under the message) and `families`, the sizes for which the run gets
    past it, by symbol, as size expressions of a new symbol
    (`{"h": "4*m"}`); `hint` is None and `families` empty otherwise. An
    error built directly, as
    `AxisError(message, op=...)`, has the kind `"other"` unless `kind` is given
    (an `AxisTypeError`, `"annotation"`).
    """

    def __init__(
        self,
        message: str,
        *,
        op: str | None = None,
        argument: str | None = None,
        axis: str | None = None,
        expected: Any = None,
        actual: Any = None,
        kind: Kind | None = None,
        symbols: Iterable[str] = (),
    ) -> None:
        if kind is None:
            kind = "annotation" if isinstance(self, AxisTypeError) else "other"
        if kind not in KINDS:
            raise ValueError(f"AxisError: `kind` (={kind!r}) must be one of {KINDS}")
        super().__init__(message)
        self.kind: Kind = kind
        self.op = op
        self.argument = argument
        self.axis = axis
        self.expected = expected
        self.actual = actual
        self.symbols: tuple[str, ...] = tuple(sorted(symbols))
        self.where: str | None = None
        self.hint: str | None = None
        self.families: dict[str, str] = {}
        self.involved: tuple[tuple[str, Any], ...] = ()


class AxisTypeError(AxisError, jaxtyping.TypeCheckError):
    """A value broke the named-axis annotation of a checked function.

    It is both an `AxisError` and jaxtyping's `TypeCheckError`, so code that
    catches either sees it. Its kind is `"annotation"`.
    """


def _listing(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) or "no axes"


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else fmt(value, grouped=False)


def _free(values: Iterable[Any]) -> set[str]:
    """The symbols of the symbolic sizes among `values`."""
    out: set[str] = set()
    for value in values:
        get_vars: Any = getattr(value, "get_vars", None)
        if get_vars is not None:  # a symbolic size
            out |= {str(v) for v in get_vars()}
    return out


def size_clash(
    op: str,
    axis: str,
    expected: Any,
    actual: Any,
    *,
    expected_in: str,
    actual_in: str,
    argument: str | None = None,
) -> AxisError:
    """Axis `axis` has size `expected` in `expected_in` and `actual` in `actual_in`.

    `argument` defaults to `actual_in`, the operand found to disagree.
    """
    return AxisError(
        f"{op}: axis `{axis}` has size {fmt(expected, grouped=False)} in {expected_in} and "
        f"{fmt(actual, grouped=False)} in {actual_in}",
        kind="size_clash",
        op=op,
        argument=argument if argument is not None else actual_in,
        axis=axis,
        expected=expected,
        actual=actual,
    )


def missing_axis(
    op: str,
    axis: str,
    *,
    argument: str | None,
    present: Iterable[str] | None = None,
    holder: str | None = None,
    detail: str | None = None,
) -> AxisError:
    """`argument` (or the value `holder` describes) has no axis `axis`.

    `present` lists the axes it does have (kept as `expected`); `detail` adds
    what asked for the axis.
    """
    names = tuple(present) if present is not None else None
    message = f"{op}: {holder or f'`{argument}`'} has no axis `{axis}`"
    if names is not None:
        message += f" (it has {_listing(names)})"
    if detail:
        message += f"; {detail}"
    return AxisError(
        message, kind="missing_axis", op=op, argument=argument, axis=axis, expected=names
    )


def duplicate_axis(
    op: str,
    axis: str,
    *,
    argument: str | None = None,
    among: str = "the result",
    detail: str | None = None,
) -> AxisError:
    """Axis `axis` would appear twice in `among` (a list of names, or the result).

    `detail` says which argument brings the second one.
    """
    message = f"{op}: axis `{axis}` appears twice in {among}"
    if detail:
        message += f": {detail}"
    return AxisError(message, kind="duplicate_axis", op=op, argument=argument, axis=axis)


def unexpected_axis(
    op: str,
    axes: Iterable[str],
    *,
    argument: str | None,
    holder: str | None = None,
    detail: str | None = None,
) -> AxisError:
    """`argument` (or the value `holder` describes) has `axes`, which `op` cannot take.

    The first of them is kept as `axis`, all of them as `actual`.
    """
    found = tuple(axes)
    what = f"the axis `{found[0]}`" if len(found) == 1 else f"the axes {found!r}"
    message = f"{op}: {holder or f'`{argument}`'} has {what}"
    if detail:
        message += f", {detail}"
    return AxisError(
        message,
        kind="unexpected_axis",
        op=op,
        argument=argument,
        axis=found[0] if found else None,
        actual=found,
    )


def axes_mismatch(op: str, *, argument: str, expected: Any, actual: Any, problem: str) -> AxisError:
    """`argument`'s axes (their names, order or number) are not what `op` needs:
    `expected` and `actual` are the names or counts; `problem` says how they differ."""
    return AxisError(
        f"{op}: `{argument}` {problem}",
        kind="axes_mismatch",
        op=op,
        argument=argument,
        expected=expected,
        actual=actual,
    )


def bad_size(
    op: str, axis: str, *, argument: str | None, expected: Any, actual: Any, problem: str
) -> AxisError:
    """Axis `axis` has the size `actual` where `op` needs `expected` (a size, or a
    requirement such as `">= 3"` or `"a multiple of 2"`); `problem` says why."""
    return AxisError(
        f"{op}: {problem}",
        kind="bad_size",
        op=op,
        argument=argument,
        axis=axis,
        expected=expected,
        actual=actual,
    )


def undecidable(
    op: str,
    claim: str,
    constraint: str,
    *,
    argument: str | None,
    axis: str | None,
    sizes: Iterable[Any] = (),
) -> AxisError:
    """JAX cannot prove `claim` about symbolic sizes; `constraint` would decide it.

    The free symbols of `sizes` (the symbolic sizes compared) are kept as
    `symbols`, the constraint as `expected`: it stays in JAX's language (what
    `tl.symbols(..., constraints=...)` and `@tl.constraints` read), with no
    space after a unary minus.
    """
    constraint = re.sub(r"(^|[(,]\s*|[=<>] )- ", r"\1-", constraint)
    message = f"{op}: cannot prove that {claim}"
    if axis:
        message += f" (axis `{axis}`)"
    message += f"; add a constraint such as `{constraint}`"
    return AxisError(
        message,
        kind="undecidable",
        op=op,
        argument=argument,
        axis=axis,
        expected=constraint,
        symbols=_free(sizes),
    )


def not_elementwise(op: str, expected: Any, actual: Any) -> AxisError:
    """A function lifted as elementwise (`op`) turned axes `expected` into the
    shape `actual`."""
    return AxisError(
        f"`{op}` changed the shape from {expected!r}: only elementwise functions lift "
        "this way; give a function the axes it works on with "
        '`tl.nmap(f)(x.untag("axis"))`',
        kind="not_elementwise",
        op=op,
        expected=expected,
        actual=actual,
    )


def out_of_range(
    op: str, axis: str, index: Any, size: Any, *, argument: str | None = None
) -> AxisError:
    """Position `index` is out of range for axis `axis` of size `size`
    (`expected` is the range `[-size, size)`, `actual` the index)."""
    return AxisError(
        f"{op}: index {fmt(index, grouped=False)} is out of range for axis `{axis}` "
        f"(={fmt(size, grouped=False)})",
        kind="out_of_range",
        op=op,
        argument=argument,
        axis=axis,
        expected=f"in [{-size}, {size})",
        actual=index,
    )


def indices_out_of_range(
    op: str, axis: str, reach: Any, size: Any, *, origin: str, argument: str = "indices"
) -> AxisError:
    """Index array `argument` holds positions up to `reach - 1` (`origin` says why:
    `"arange over seq:20"`), past the `size` positions of axis `axis`
    (`expected` is the axis's size, `actual` the index array's reach)."""
    last = reach - 1
    return AxisError(
        f"{op}: `{argument}` hold positions up to {fmt(last, grouped=False)} ({origin}) and axis "
        f"`{axis}` has {fmt(size, grouped=False)}",
        kind="out_of_range",
        op=op,
        argument=argument,
        axis=axis,
        expected=size,
        actual=reach,
    )


_UNSET: Any = object()


def bad_argument(
    op: str,
    argument: str,
    value: Any = _UNSET,
    *,
    must: str,
    axis: str | None = None,
    expected: Any = None,
    detail: str | None = None,
) -> AxisError:
    """`argument` (whose value is `value`, kept as `actual`) is malformed: it
    `must` be something else; `detail` adds what was found."""
    shown = "" if value is _UNSET else f" (={_shown(value)})"
    message = f"{op}: `{argument}`{shown} must {must}"
    if detail:
        message += f" ({detail})"
    return AxisError(
        message,
        kind="bad_argument",
        op=op,
        argument=argument,
        axis=axis,
        expected=expected,
        actual=None if value is _UNSET else value,
    )


def structure_changed(
    op: str, what: str, before: Any, after: Any, *, argument: str | None, must: str
) -> AxisError:
    """`what` (a scan's carry, a model after an update) changed from `before`
    to `after`, though it `must` keep them."""
    return AxisError(
        f"{op}: {what} changed from {before!r} to {after!r}; it must keep {must}",
        kind="structure_changed",
        op=op,
        argument=argument,
        expected=before,
        actual=after,
    )


def sharding(
    op: str, axis: str, *, argument: str, expected: Any, actual: Any, problem: str
) -> AxisError:
    """Axis `axis` cannot be laid out on the device mesh as `argument` asks:
    `expected` is what the mesh offers, `actual` what was asked; `problem` says why."""
    return AxisError(
        f"{op}: {problem}",
        kind="sharding",
        op=op,
        argument=argument,
        axis=axis,
        expected=expected,
        actual=actual,
    )


def annotation(
    message: str,
    *,
    op: str,
    argument: str | None = None,
    axis: str | None = None,
    expected: Any = None,
    actual: Any = None,
) -> AxisTypeError:
    """A value of `argument` broke the annotation of the checked function `op`.

    The message is the diagnosis of the annotation checker, which already
    names the function, argument and axis in a fixed layout.
    """
    return AxisTypeError(
        message,
        kind="annotation",
        op=op,
        argument=argument,
        axis=axis,
        expected=expected,
        actual=actual,
    )


@contextlib.contextmanager
def located(where: str) -> Iterator[None]:
    """Label the `AxisError`s raised inside with `where` (a model line, say).

    The innermost label wins; it is kept on the error as `where` and shown
    under its message.
    """
    try:
        yield
    except AxisError as error:
        if error.where is None:
            error.where = where
            error.add_note(f"  where: {where}")
        raise


AxisError.__module__ = "typedlenet"
AxisTypeError.__module__ = "typedlenet"
