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
import re
import sys
import types
from collections.abc import Iterator
from typing import Any

import jax

from .._core.errors import AxisError
from .._core.named import NamedArray, observing
from .._core.sizes import fmt
from ._locations import (
    binding_line,
    constraint_lines,
    loaded_names,
    module_binding_line,
    passed_from,
    statement_at,
)

__all__ = ["Origins", "assumed", "carried", "passed", "recording", "related"]


class Origins(dict[tuple[str, str], list[tuple[str, int, str]]]):
    """`(axis, size as text)` -> `[(path, line, how the size got there)]`: the
    first line that made it, and the last one before the error when that is
    another line. `callers` holds, for each, the lines of the checked files that
    called down to the first (innermost first)."""

    def __init__(self) -> None:
        super().__init__()
        self.callers: dict[tuple[str, str], list[tuple[str, int]]] = {}


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
    origins = Origins()

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
                origins.callers[key] = callers = []
                outer = frame.f_back
                while outer is not None:
                    if outer.f_code.co_filename in files:
                        callers.append((outer.f_code.co_filename, outer.f_lineno))
                    outer = outer.f_back
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


def _pairs(error: AxisError) -> list[tuple[str, str]]:
    """The `(axis, size as text)` pairs an `AxisError` is about."""
    pairs = list(getattr(error, "involved", ()))
    if not pairs and error.axis is not None:
        pairs = [(error.axis, error.actual), (error.axis, error.expected)]
    return [
        (axis, str(size))
        for axis, size in pairs
        if size is not None and not isinstance(size, (tuple, list, dict, str))
    ]


def _held(value: Any) -> set[tuple[str, str]]:
    """The `(axis, size as text)` of the arrays `value` is or holds (a layer's
    weights, a list of arrays); none for a value that is no pytree of them."""
    if isinstance(value, NamedArray):
        return {(a, str(s)) for a, s in value.sizes.items()}
    if isinstance(value, (types.ModuleType, type)) or (
        callable(value) and not hasattr(value, "__dataclass_fields__")
    ):
        return set()
    try:
        leaves = jax.tree_util.tree_leaves(value, is_leaf=lambda x: isinstance(x, NamedArray))
    except Exception:  # a value jax cannot flatten holds no arrays we can see
        return set()
    return {(a, str(s)) for x in leaves if isinstance(x, NamedArray) for a, s in x.sizes.items()}


def carried(error: BaseException, files: set[str]) -> list[tuple[str, int, str]]:
    """Where the values that met were bound to the names that carried them
    there: for each line of the checked files on the error's traceback, the
    variables its statement reads that hold a conflicting `axis:size` (for a
    missing axis, at the failing line, those without the axis), and the
    assignment that gave each its value (`image = png`, `logits =
    head(tl.mean(states, "seq"))`), or for a top-level name, its line."""
    if not isinstance(error, AxisError):
        return []
    pairs = set(_pairs(error))
    missing = error.axis if error.kind == "missing_axis" else None
    frames = []
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in files:
            frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    out: list[tuple[str, int, str]] = []
    for depth, (frame, line) in enumerate(reversed(frames)):
        path = frame.f_code.co_filename
        stmt = statement_at(path, line)
        if stmt is None:
            continue
        for name in loaded_names(stmt):
            local = name in frame.f_locals
            value = frame.f_locals[name] if local else frame.f_globals.get(name)
            sizes = _held(value)
            if sizes & pairs:
                shown = ", ".join(f"`{a}:{s}`" for a, s in sorted(sizes & pairs))
                if not isinstance(value, NamedArray):
                    shown = f"holding {shown}"
            elif (
                depth == 0
                and missing is not None
                and isinstance(value, NamedArray)
                and missing not in value.sizes
            ):
                has = ", ".join(f"`{a}`" for a in value.sizes) or "no axes"
                shown = f"{has}, no `{missing}`"
            else:
                continue
            at = binding_line(path, line, name) if local else module_binding_line(path, name)
            if at is not None and at != stmt.lineno:
                verb = "assigned" if local else "made"
                out.append((path, at, f"`{name}` ({shown}) {verb} here"))
    return out


def assumed(
    error: BaseException, target_path: str, claims: tuple[str, ...]
) -> list[tuple[str, int, str]]:
    """For a comparison the target's constraints cannot decide: where the file
    writes each constraint on the symbols it is about (`n <= 2048`, which lets
    `n` pass what the operation needs)."""
    if not isinstance(error, AxisError) or error.kind != "undecidable" or not error.symbols:
        return []
    about = set(error.symbols)
    relevant = tuple(c for c in claims if set(re.findall(r"[A-Za-z_]\w*", c)) & about)
    return [
        (target_path, line, f"the constraint `{claim}` on {_listed(about)} given here")
        for line, claim in constraint_lines(target_path, relevant)
    ]


def _listed(symbols: set[str]) -> str:
    return ", ".join(f"`{s}`" for s in sorted(symbols))


def passed(error: BaseException, origins: Origins) -> list[tuple[str, int, str]]:
    """For a size first made inside a function from one of its parameters
    (`f"class:{n_out}"`): the call that passed it the number, up the calls
    that led there (`block(20)`), where it was written as a literal or a
    constant of that value."""
    if not isinstance(error, AxisError):
        return []
    out: list[tuple[str, int, str]] = []
    for axis, size in _pairs(error):
        first = origins.get((axis, size), [])
        if not first or not size.isdigit():
            continue
        path, line, _ = first[0]
        found = passed_from(path, line, int(size), origins.callers.get((axis, size), []))
        # the call first, then the constant it passed (already worded as such)
        out += [
            (p, n, f"`{axis}:{size}`: {w}" if i == 0 else w) for i, (p, n, w) in enumerate(found)
        ]
    return out
