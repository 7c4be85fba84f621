"""`typedlenet trace FILE::FUNCTION`: every tensor a function computes, with its
named sizes, by source line (what an editor shows on hover), found abstractly."""

from __future__ import annotations

import contextlib
import linecache
import pathlib
import re
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from .._core.named import NamedArray, observing
from .._core.verify import _describe
from ._checker import CheckError, Diagnostic, _shown, diagnose, load, run_abstract, targets

__all__ = ["trace_loaded", "trace_target"]

_ASSIGNED = re.compile(r"^\s*([A-Za-z_][\w\s,]*?)\s*(?::[^=]+)?=(?!=)")


def label(source: str) -> str:
    """What a line computes: the names it assigns, `return`, or the code itself."""
    if match := _ASSIGNED.match(source):
        return match.group(1).replace(" ", "")
    code = source.strip()
    if code.startswith("return"):
        return "return"
    return code if len(code) <= 40 else code[:37] + "..."


@contextlib.contextmanager
def _recording(filename: str) -> Iterator[dict[int, NamedArray]]:
    """Record, by line of `filename`, the last NamedArray built while that line ran
    (so a line that calls a helper gets the helper's result)."""
    seen: dict[int, NamedArray] = {}

    def observe(x: NamedArray) -> None:
        frame = sys._getframe(1)
        while frame is not None:  # every line of the file on the stack is computing `x`
            if frame.f_code.co_filename == filename:
                seen[frame.f_lineno] = x
            frame = frame.f_back

    with observing(observe):
        yield seen


def trace_target(
    path: pathlib.Path, name: str, constraints: list[str] | tuple[str, ...] = ()
) -> tuple[list[tuple[str, int, str, str]], Diagnostic | None]:
    """Run `name` of `path` abstractly; each line's tensor `(path, line, label, named
    sizes)` in line order, and the diagnostic where it failed (or None)."""
    return trace_loaded(load(path), path, name, constraints)


def trace_loaded(
    module: Any, path: pathlib.Path, name: str, constraints: Sequence[str] = ()
) -> tuple[list[tuple[str, int, str, str]], Diagnostic | None]:
    """`trace_target` on `module`, the file `path` already imported."""
    (target,) = targets(module, path, name, constraints)
    filename = str(pathlib.Path(module.__file__ or path).resolve())
    files = {filename, str(path)}
    error = None
    with _recording(filename) as seen:
        try:
            run_abstract(target)
        except CheckError:
            raise
        except Exception as problem:
            error = diagnose(problem, target, files)
    shown = _shown(filename)
    rows = [
        (shown, line, label(linecache.getline(filename, line)), _describe(x))
        for line, x in sorted(seen.items())
    ]
    return rows, error
