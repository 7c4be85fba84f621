"""Where each size came from: while a target runs abstractly, the first line of
the checked files that made an array with each `axis:size`, so that a
diagnostic can say, besides where two sizes met, where each of them was
written (`inp:3136` at the layer's constructor, `inp:2704` at the flatten).

An input's sizes come from its annotation (the target's `def` line); any
other array's from the innermost line of a checked file on the stack when it
was made: a layer's weights at the line that builds the layer, an
operation's result at the line that calls it.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from .._core.errors import AxisError
from .._core.named import NamedArray, observing

__all__ = ["Origins", "recording", "related"]

# (axis, size as text) -> (path, line, how the size got there)
Origins = dict[tuple[str, str], tuple[str, int, str]]


def note_inputs(origins: Origins, inputs: dict[str, Any], path: str, line: int) -> None:
    """The sizes of a target's abstract inputs (and fields), bound by annotations."""
    for name, value in inputs.items():
        if isinstance(value, NamedArray):
            for axis, size in value.sizes.items():
                origins.setdefault(
                    (axis, str(size)), (path, line, f"bound by the annotation of `{name}`")
                )


@contextlib.contextmanager
def recording(files: set[str]) -> Iterator[Origins]:
    """Record the first line of `files` that made each `axis:size`."""
    origins: Origins = {}

    def observe(x: NamedArray) -> None:
        fresh = [(a, str(s)) for a, s in zip(x.names, x.shape) if (a, str(s)) not in origins]
        if not fresh:
            return
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename not in files:
            frame = frame.f_back
        if frame is None:
            return
        for key in fresh:
            origins[key] = (frame.f_code.co_filename, frame.f_lineno, "first made here")

    with observing(observe):
        yield origins


def related(error: BaseException, origins: Origins) -> list[tuple[str, int, str]]:
    """For an `AxisError` between two sizes of one axis: where each size was
    first written, as `(path, line, message)`; the size that arrived second
    (`actual`) first, since the fix is most often there."""
    if not isinstance(error, AxisError) or error.axis is None:
        return []
    out = []
    for size in (error.actual, error.expected):
        if size is None or isinstance(size, (tuple, list, dict)):
            continue
        found = origins.get((error.axis, str(size)))
        if found is not None:
            path, line, how = found
            entry = (path, line, f"`{error.axis}:{size}` {how}")
            if entry not in out:
                out.append(entry)
    return out
