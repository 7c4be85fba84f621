"""`typedlenet check PATH...` and `typedlenet trace FILE::FUNCTION`: the checker
on users' files, configured by `[tool.typedlenet]` in pyproject.toml. The
files are imported and their functions run in a supervised child process, with
a time limit (`_supervise`); this process runs no user code."""

from __future__ import annotations

import argparse
import pathlib
import sys
import tomllib
from typing import Any

from ._checker import CheckError, expand
from ._output import render
from ._supervise import FATAL_RULES, check_files, timeout, trace_file

__all__ = ["IGNORABLE", "KEYS", "check_paths", "config", "trace"]

KEYS = ("paths", "exclude", "constraints", "ignore")
# The rules of findings that are not errors, which a project may leave out.
IGNORABLE = ("unchecked-return", "not-verified")


def config(start: pathlib.Path | None = None) -> dict[str, Any]:
    """`[tool.typedlenet]` of the pyproject.toml in the working directory (or
    `start`): `paths`, `exclude` (glob patterns), `constraints` and `ignore`
    (rules whose warnings or notes are left out)."""
    path = (start or pathlib.Path.cwd()) / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        table = tomllib.loads(path.read_text()).get("tool", {}).get("typedlenet", {})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CheckError(f"{path}: cannot read [tool.typedlenet]: {error}") from None
    for key in KEYS:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CheckError(f"{path}: [tool.typedlenet] {key} must be a list of strings")
    bad = set(table.get("ignore", [])) - set(IGNORABLE)
    if bad:
        raise CheckError(
            f"{path}: [tool.typedlenet] ignore: unknown rule(s) {sorted(bad)} "
            f"(these can be left out: {', '.join(IGNORABLE)})"
        )
    unknown = set(table) - set(KEYS)
    if unknown:
        raise CheckError(f"{path}: [tool.typedlenet] has unknown keys {sorted(unknown)}")
    return table


def check_paths(args: argparse.Namespace, paths: list[str], settings: dict[str, Any]) -> int:
    """Run the checker on `paths`; print the report; 0 clean, 1 errors, 2 unusable
    (a file that cannot be imported, user code that ended or hung the check, or
    nothing that could be verified). Warnings and what was not verified are
    reported and leave the status as it is."""
    exclude = [*settings.get("exclude", []), *args.exclude]
    claims = [*settings.get("constraints", []), *args.constraint]
    try:
        files = expand(paths, exclude)
        diagnostics, count = check_files(files, claims, timeout(getattr(args, "timeout", None)))
    except CheckError as error:
        print(f"typedlenet check: error: {error}", file=sys.stderr)
        return 2
    ignored = {*settings.get("ignore", []), *getattr(args, "ignore", [])}
    diagnostics = [d for d in diagnostics if d.severity == "error" or d.rule not in ignored]
    print(render(args.format, diagnostics, count, len(files)))
    if any(d.rule in FATAL_RULES for d in diagnostics) or count == 0:
        return 2  # user code ended the check, or nothing could be verified
    return 1 if any(d.severity == "error" for d in diagnostics) else 0


def trace(args: argparse.Namespace) -> int:
    """Print every tensor of one function by source line; 1 when it is ill-typed,
    2 when it cannot run (or its code ended or hung the trace)."""
    text, _, name = args.target.partition("::")
    if not name:
        print("typedlenet trace: error: give FILE.py::FUNCTION", file=sys.stderr)
        return 2
    path = pathlib.Path(text)
    try:
        if not path.is_file():
            raise CheckError(f"{path}: no such file")
        limit = timeout(getattr(args, "timeout", None))
        rows, error = trace_file(path, name, args.constraint, limit)
    except CheckError as problem:
        print(f"typedlenet trace: error: {problem}", file=sys.stderr)
        return 2
    for shown, line, label, shape in rows:
        print(f"{shown}:{line}: {label}: {shape}")
    if error is not None:
        print(f"{error.path}:{error.line}:{error.col + 1}: error: {error.message} [{error.rule}]")
        return 2 if error.rule in FATAL_RULES else 1
    return 0
