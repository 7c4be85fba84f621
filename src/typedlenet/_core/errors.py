"""The two errors a named-axis program can raise."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import jaxtyping


class AxisError(ValueError):
    """An operation was asked for something its operands' axes do not allow.

    Attributes name what went wrong, so that tools can report it without
    parsing the message: `op` (the operation), `argument` (the argument or
    operand), `axis`, `expected` and `actual` (sizes or names); any of them may
    be `None` when it does not apply.
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
    ) -> None:
        super().__init__(message)
        self.op = op
        self.argument = argument
        self.axis = axis
        self.expected = expected
        self.actual = actual
        self.where: str | None = None


class AxisTypeError(AxisError, jaxtyping.TypeCheckError):
    """A value broke the named-axis annotation of a checked function.

    It is both an `AxisError` and jaxtyping's `TypeCheckError`, so code that
    catches either sees it.
    """


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
