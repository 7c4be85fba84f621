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
from .._core.sizes import fmt

__all__ = ["Origins", "recording", "related"]

# (axis, size as text) -> [(path, line, how the size got there)]: the first line
# that made it, and the last one before the error when that is another line.
Origins = dict[tuple[str, str], list[tuple[str, int, str]]]


# axis -> (path, line, axis:size, input name) of the inputs that have the axis
Inputs = dict[str, list[tuple[str, int, str, str]]]


def note_inputs(
    origins: Origins, inputs: dict[str, Any], path: str, lines: dict[str, int]
) -> Inputs:
    """The sizes of a target's abstract inputs, bound by their annotations (at the
    line of each parameter, from `lines`); returns the inputs by axis."""
    by_axis: Inputs = {}
    for name, value in inputs.items():
        if isinstance(value, NamedArray):
            line = lines.get(name, lines.get("", 1))
            for axis, size in value.sizes.items():
                origins.setdefault(
                    (axis, str(size)), [(path, line, f"bound by the annotation of `{name}`")]
                )
                by_axis.setdefault(axis, []).append(
                    (path, line, f"{axis}:{fmt(size, grouped=False)}", name)
                )
    return by_axis


def from_inputs(error: BaseException, inputs: Inputs) -> list[tuple[str, int, str]]:
    """Where the inputs got the axes an `AxisError` is about: the sizes that met
    there were computed from these (an odd image size that pooling halves)."""
    if not isinstance(error, AxisError):
        return []
    axes = [a for a, _ in getattr(error, "involved", ())] or [error.axis]
    return [
        (path, line, f"`{shown}` of the input `{name}`, from its annotation")
        for axis in axes
        if axis is not None
        for path, line, shown, name in inputs.get(axis, [])
    ]


@contextlib.contextmanager
def recording(files: set[str]) -> Iterator[Origins]:
    """Record the first and the last line of `files` that made each `axis:size`."""
    origins: Origins = {}

    def observe(x: NamedArray) -> None:
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename not in files:
            frame = frame.f_back
        if frame is None:
            return
        here = (frame.f_code.co_filename, frame.f_lineno)
        for key in zip(x.names, map(str, x.shape)):
            seen = origins.get(key)
            if seen is None:
                origins[key] = [(*here, "first made here")]
            elif seen[0][:2] != here:
                seen[1:] = [(*here, "last made here")]

    with observing(observe):
        yield origins


def related(error: BaseException, origins: Origins) -> list[tuple[str, int, str]]:
    """For an `AxisError`: where each `axis:size` it is about was written (first,
    and last before the error), as `(path, line, message)`: the pairs in its
    `involved`, else its axis with `actual` (the size that arrived second,
    first, since the fix is most often there) and `expected`."""
    if not isinstance(error, AxisError):
        return []
    pairs = list(getattr(error, "involved", ()))
    if not pairs and error.axis is not None:
        pairs = [(error.axis, error.actual), (error.axis, error.expected)]
    out: list[tuple[str, int, str]] = []
    for axis, size in pairs:
        if size is None or isinstance(size, (tuple, list, dict, str)):
            continue
        for path, line, how in origins.get((axis, str(size)), []):
            entry = (path, line, f"`{axis}:{fmt(size, grouped=False)}` {how}")
            if all(e[:2] != entry[:2] for e in out):
                out.append(entry)
    return out
