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

import ast
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

__all__ = [
    "Origins",
    "assumed",
    "carried",
    "derived",
    "note_inputs",
    "passed",
    "recording",
    "related",
]


class Origins(dict[tuple[str, str], list[tuple[str, int, str]]]):
    """`(axis, size as text)` -> `[(path, line, how the size got there)]`: the
    first line that made it, and the last one before the error when that is
    another line. `callers` holds, for each, the lines of the checked files that
    called down to the first (innermost first); `parents`, the sizes of the same
    axis that the arrays its first line read had (`width:171` for the
    `width:85` a pooling made of it); `inputs`, the inputs whose annotations
    bind it, as `(path, line, name)`."""

    def __init__(self) -> None:
        super().__init__()
        self.callers: dict[tuple[str, str], list[tuple[str, int]]] = {}
        self.parents: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.inputs: dict[tuple[str, str], list[tuple[str, int, str]]] = {}


def note_inputs(origins: Origins, inputs: dict[str, Any], path: str, lines: dict[str, int]) -> None:
    """The sizes of a target's abstract inputs, bound by their annotations (at the
    line of each parameter, from `lines`): a size that several inputs share is
    bound at the first one's line, by all of their annotations."""
    for name, value in inputs.items():
        if isinstance(value, NamedArray):
            line = lines.get(name, lines.get("", 1))
            for axis, size in value.sizes.items():
                origins.inputs.setdefault((axis, str(size)), []).append((path, line, name))
    for key, bound in origins.inputs.items():
        path, line, _ = bound[0]
        origins.setdefault(key, [(path, line, f"bound by {_annotations(bound)}")])


def _annotations(bound: list[tuple[str, int, str]]) -> str:
    """`the annotation of `x``, or of several inputs, `the annotations of ...`."""
    names = [f"`{name}`" for _, _, name in bound]
    if len(names) == 1:
        return f"the annotation of {names[0]}"
    if len(names) > 4:
        names = [*names[:2], "…", names[-1]]
        return f"the annotations of the {len(bound)} inputs {', '.join(names)}"
    return f"the annotations of {', '.join(names)}"


def derived(error: BaseException, origins: Origins) -> list[tuple[str, int, str]]:
    """Where the sizes that the conflicting ones were computed from were written:
    following `parents` back from each `axis:size` of an `AxisError`, the first
    line of each size that was itself computed from none (an input's odd image
    size that pooling halved to the size that met), nearest first."""
    if not isinstance(error, AxisError):
        return []
    pairs = _pairs(error) or _compared(error)
    seen = set(pairs)
    todo = list(pairs)
    out: list[tuple[str, int, str]] = []
    while todo:
        key = todo.pop(0)
        for parent in origins.parents.get(key, []):
            if parent in seen:
                continue
            seen.add(parent)
            todo.append(parent)
            first = origins.get(parent)
            if origins.parents.get(parent) or not first:
                continue  # computed from another size in turn: its roots are named
            path, line, how = first[0]
            shown = f"`{parent[0]}:{parent[1]}`"
            bound = origins.inputs.get(parent)
            if bound and (path, line) == bound[0][:2]:
                names = [f"`{name}`" for _, _, name in bound]
                if len(bound) == 1:
                    out.append(
                        (path, line, f"{shown} of the input {names[0]}, from its annotation")
                    )
                else:
                    out.append((path, line, f"{shown} of {_annotations(bound)[4:]}"))
            else:
                out.append((path, line, f"{shown} {how}"))
    return out


def _operand_sizes(frame: types.FrameType, path: str, line: int) -> set[tuple[str, str]]:
    """The `(axis, size as text)` of the arrays (alone, or in a list, tuple or dict)
    that the names read by the statement at `line` of `path` hold in `frame`."""
    stmt = statement_at(path, line)
    if stmt is None:
        return set()
    out: set[tuple[str, str]] = set()
    for name in loaded_names(stmt):
        if name in frame.f_locals:
            out |= _arrays_of(frame.f_locals[name])
        elif name in frame.f_globals:
            out |= _arrays_of(frame.f_globals[name])
    return out


def _arrays_of(value: Any, depth: int = 0) -> set[tuple[str, str]]:
    if isinstance(value, NamedArray):
        return {(a, str(s)) for a, s in value.sizes.items()}
    if depth < 3 and isinstance(value, (list, tuple)):
        return {p for item in value[:64] for p in _arrays_of(item, depth + 1)}
    if depth < 3 and isinstance(value, dict):
        return {p for item in list(value.values())[:64] for p in _arrays_of(item, depth + 1)}
    return set()


def _writes(path: str, line: int, axis: str) -> bool:
    """Whether the statement at `line` of `path` writes a size of `axis` itself (a
    string such as `"width:85"` or `f"width:{n}"`)."""
    stmt = statement_at(path, line)
    if stmt is None:
        return False
    return any(
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.search(rf"(^|[\s(]){re.escape(axis)}:", node.value)
        for node in ast.walk(stmt)
    )


@contextlib.contextmanager
def recording(files: set[str]) -> Iterator[Origins]:
    """Record the first and the last line of `files` that made each `axis:size`,
    and, at the first, the other sizes of its axis that the line read."""
    origins = Origins()

    def observe(x: NamedArray) -> None:
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename not in files:
            frame = frame.f_back
        if frame is None:
            return
        here = (frame.f_code.co_filename, frame.f_lineno)
        read: set[tuple[str, str]] | None = None
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
                if _writes(*here, key[0]):
                    continue  # the line writes this axis's size: made here, from no other
                read = _operand_sizes(frame, *here) if read is None else read
                parents = sorted(p for p in read if p[0] == key[0] and p[1] != key[1])
                if parents:
                    origins.parents[key] = parents
            elif seen[0][:2] != here:
                seen[1:] = [(*here, "last made here")]

    with observing(observe):
        yield origins


def related(
    error: BaseException, origins: Origins, *, last: bool = True
) -> list[tuple[str, int, str]]:
    """For an `AxisError`: where each `axis:size` it is about was written, as
    `(path, line, message)`: the pairs in its `involved`, else its axis with
    `actual` (the size that arrived second, first, since the fix is most often
    there) and `expected`. Where each was first made or bound comes first, then
    (with `last`) where each was last made before the error."""
    if not isinstance(error, AxisError):
        return []
    out: list[tuple[str, int, str]] = []
    for index in (0, 1) if last else (0,):
        for axis, size in _pairs(error):
            for path, line, how in origins.get((axis, size), [])[index : index + 1]:
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


def _compared(error: AxisError) -> list[tuple[str, str]]:
    """For a comparison of two sizes of one axis that could not be decided (the
    constraint `a == b` that would decide it), the `(axis, size as text)` of each."""
    if error.kind != "undecidable" or error.axis is None or not isinstance(error.expected, str):
        return []
    sides = error.expected.split(" == ")
    return [(error.axis, side.strip()) for side in sides] if len(sides) == 2 else []


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
    variables read by the part of its statement that was running (the call or
    the operator) that hold a conflicting `axis:size` (for a missing axis, at
    the failing line, those without the axis), and the assignment that gave
    each its value (`image = png`, `logits = head(tl.mean(states, "seq"))`),
    or for a top-level name, its line."""
    if not isinstance(error, AxisError):
        return []
    pairs = set(_pairs(error))
    missing = error.axis if error.kind == "missing_axis" else None
    frames = []
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in files:
            frames.append((tb.tb_frame, tb.tb_lineno, _running(tb)))
        tb = tb.tb_next
    out: list[tuple[str, int, str]] = []
    for depth, (frame, line, span) in enumerate(reversed(frames)):
        path = frame.f_code.co_filename
        stmt = statement_at(path, line)
        if stmt is None:
            continue
        for name in loaded_names(stmt, span):
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
            if at is not None and at != stmt.lineno and not _empty_at(path, at):
                verb = "assigned" if local else "made"
                out.append((path, at, f"`{name}` ({shown}) {verb} here"))
    return out


def _empty_at(path: str, line: int) -> bool:
    """Whether the statement at `line` of `path` assigns an empty container (`skips
    = []`): the arrays it holds later were put in by other lines."""
    stmt = statement_at(path, line)
    value = getattr(stmt, "value", None)
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return not value.elts
    if isinstance(value, ast.Dict):
        return not value.keys
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in ("list", "dict", "set", "tuple")
        and not value.args
        and not value.keywords
    )


def _running(tb: types.TracebackType) -> tuple[int, int, int, int] | None:
    """Where in its file the expression a traceback entry was running is
    written (`image - MEAN` of `(image - MEAN) / STD`), as `(line, column, end
    line, end column)`; None where the code does not say."""
    try:
        positions = list(tb.tb_frame.f_code.co_positions())[tb.tb_lasti // 2]
    except (AttributeError, IndexError):
        return None
    line, end, col, end_col = positions
    if line is None or end is None or col is None or end_col is None:
        return None
    return line, col, end, end_col


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
