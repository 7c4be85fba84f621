"""Diagnostics: `file:` URIs, LSP diagnostic objects, the syntax errors of a
text (found by compiling it, which runs no code), the diagnostics in the JSON
report of `typedlenet check`, and the top-level definition a hovered line is in.
"""

from __future__ import annotations

import ast
import json
import pathlib
import re
import urllib.parse
import urllib.request
import warnings
from typing import Any

from ._frames import _log

ERROR, WARNING, INFORMATION = 1, 2, 3


def _file(uri: str) -> pathlib.Path | None:
    """The path of a `file:` URI (None for other schemes)."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme != "file" or not parsed.path:
        return None
    return pathlib.Path(urllib.request.url2pathname(parsed.path))


def _diagnostic(
    line: int, start: int, end: int, message: str, rule: str, severity: int = ERROR
) -> dict[str, Any]:
    line, start = max(line, 0), max(start, 0)
    return {
        "range": {
            "start": {"line": line, "character": start},
            "end": {"line": line, "character": max(end, start + 1)},
        },
        "severity": severity,
        "source": "typedlenet",
        "code": rule,
        "message": message,
    }


def _syntax_errors(source: str | bytes, path: pathlib.Path) -> list[dict[str, Any]]:
    """The file's syntax error at its line and column, found by compiling (no code runs)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as error:
        line = (error.lineno or 1) - 1
        start = (error.offset or 1) - 1
        end = start + 1
        if error.end_lineno == error.lineno and error.end_offset:
            end = max(error.end_offset - 1, end)
        message = f"{type(error).__name__}: {error.msg}"
        return [_diagnostic(line, start, end, message, "syntax")]
    except ValueError as error:  # null bytes
        return [_diagnostic(0, 0, 1, f"SyntaxError: {error}", "syntax")]
    except (RecursionError, MemoryError, OverflowError):
        return []  # too deep to compile here; the check will say
    return []


_SYNTAX_AT = re.compile(r"(?:SyntaxError|IndentationError|TabError): .*?, line (\d+)\)")


def _report(stdout: str) -> dict[str, Any] | None:
    """The JSON report in a check's output (after what the user's module printed)."""
    starts = [0] + [m.end() for m in re.finditer(r"\n(?=\{\n)", stdout)]
    for start in reversed(starts):
        try:
            report = json.loads(stdout[start:])
        except ValueError:
            continue
        if isinstance(report, dict) and isinstance(report.get("diagnostics"), list):
            return report
    return None


_SEVERITY = {"error": ERROR, "warning": WARNING, "note": INFORMATION}


def _from_report(report: dict[str, Any], path: pathlib.Path) -> list[dict[str, Any]]:
    out = []
    entries = [*report["diagnostics"]]
    for key in ("warnings", "not_verified"):
        if isinstance(report.get(key), list):
            entries += report[key]
    for d in entries:
        try:
            if (path.parent / d["path"]).resolve() != path.resolve():
                continue
            start = int(d["column"]) - 1
            end = int(d["end_column"] or d["column"] + 1) - 1
            severity = _SEVERITY.get(str(d.get("severity", "error")), ERROR)
            code = d.get("kind") or d["rule"]  # the error's kind, when it has one
            found = _diagnostic(int(d["line"]) - 1, start, end, str(d["message"]), code, severity)
            near = [
                {
                    "location": {
                        "uri": (path.parent / r["path"]).resolve().as_uri(),
                        "range": {
                            "start": {"line": int(r["line"]) - 1, "character": 0},
                            "end": {"line": int(r["line"]) - 1, "character": 1},
                        },
                    },
                    "message": str(r["message"]),
                }
                for r in d.get("related") or []
            ]
            if near:
                found["relatedInformation"] = near
            out.append(found)
        except (KeyError, TypeError, ValueError, OSError):
            _log(f"ignored a malformed diagnostic in the check's report: {d!r:.200}")
    return out


def _enclosing(text: str, line: int) -> str | None:
    """The top-level function or class whose source holds 1-based `line`."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.lineno <= line <= (node.end_lineno or node.lineno):
                return node.name
    return None
