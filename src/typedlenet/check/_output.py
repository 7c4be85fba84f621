"""Diagnostics as editors and CI read them: text, JSON, GitHub annotations."""

from __future__ import annotations

import json
import linecache
from collections.abc import Sequence

from ._checker import Diagnostic

__all__ = ["render"]


def _caret(d: Diagnostic) -> str:
    source = d.source
    start = d.col if d.col else len(source) - len(source.lstrip())
    width = max(d.end_col - start, 1) if d.end_col > start else 1
    return " " * start + "^" * width


def _by_severity(diagnostics: Sequence[Diagnostic]) -> tuple[list[Diagnostic], ...]:
    errors = [d for d in diagnostics if d.severity == "error"]
    warnings = [d for d in diagnostics if d.severity == "warning"]
    notes = [d for d in diagnostics if d.severity == "note"]
    return errors, warnings, notes


def summary(diagnostics: Sequence[Diagnostic], count: int, files: int) -> str:
    """The last line: never "No errors" about what was not verified."""
    errors, warnings, notes = _by_severity(diagnostics)
    rest = "".join(
        [
            f"; {len(warnings)} warning(s)" if warnings else "",
            f"; {len(notes)} function(s) and class(es) not verified, listed above" if notes else "",
        ]
    )
    if count == 0:
        return (
            f"Nothing verified: no function or module of the {files} file(s) could be "
            f"verified{rest}."
        )
    if errors:
        return (
            f"Found {len(errors)} error(s) in {count} checked function(s) and module(s) "
            f"({files} file(s)){rest}."
        )
    return f"No errors: {count} function(s) and module(s) verified in {files} file(s){rest}."


NOTES_SHOWN = 5
"""The related notes the text format shows under an error (the most relevant
first); the others are counted. The other formats carry them all."""


def text(diagnostics: Sequence[Diagnostic], count: int, files: int) -> str:
    errors, warnings, notes = _by_severity(diagnostics)
    lines = []
    for d in [*errors, *warnings]:
        first, *rest = d.message.splitlines() or [""]
        lines.append(f"{d.path}:{d.line}:{d.col + 1}: {d.severity}: {first} [{d.rule}]")
        if d.source:
            lines += [f"    {d.source}", f"    {_caret(d)}"]
        lines += [f"  {r.strip()}" for r in rest if r.strip()]
        for path, line, message in d.related[:NOTES_SHOWN]:
            lines.append(f"  {path}:{line}: note: {message}")
            code = linecache.getline(path, line).strip()
            if code:
                lines.append(f"      {code}")
        if len(d.related) > NOTES_SHOWN:
            more = len(d.related) - NOTES_SHOWN
            lines.append(f"  and {more} more note(s), listed by `--format json`")
        lines += [f"  called from {p}:{n} in {fn}" for p, n, fn in reversed(d.chain)]
    lines += [f"{d.path}:{d.line}: note: {d.message} [{d.rule}]" for d in notes]
    lines.append(summary(diagnostics, count, files))
    return "\n".join(lines)


def _entry(d: Diagnostic) -> dict[str, object]:
    return {
        "path": d.path,
        "line": d.line,
        "column": d.col + 1,
        "end_column": d.end_col + 1 if d.end_col else None,
        "severity": d.severity,
        "rule": d.rule,
        "kind": d.kind,
        "message": d.message,
        "target": d.target,
        "source": d.source,
        "chain": [{"path": p, "line": n, "function": f} for p, n, f in d.chain],
        "related": [{"path": p, "line": n, "message": m} for p, n, m in d.related],
    }


def as_json(diagnostics: Sequence[Diagnostic], count: int, files: int) -> str:
    """`diagnostics` holds the errors; `warnings` and `not_verified` the rest."""
    errors, warnings, notes = _by_severity(diagnostics)
    return json.dumps(
        {
            "checked": count,
            "files": files,
            "diagnostics": [_entry(d) for d in errors],
            "warnings": [_entry(d) for d in warnings],
            "not_verified": [_entry(d) for d in notes],
            "summary": summary(diagnostics, count, files),
        },
        indent=2,
    )


def _escape(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _with_related(d: Diagnostic) -> str:
    return "\n".join([d.message, *(f"{p}:{n}: {m}" for p, n, m in d.related)])


_GITHUB = {"error": "error", "warning": "warning", "note": "notice"}


def github(diagnostics: Sequence[Diagnostic], count: int, files: int) -> str:
    errors, warnings, notes = _by_severity(diagnostics)
    lines = [
        f"::{_GITHUB[d.severity]} file={d.path},line={d.line},col={d.col + 1},"
        f"title=typedlenet [{d.rule}]::{_escape(_with_related(d))}"
        for d in [*errors, *warnings, *notes]
    ]
    lines.append(summary(diagnostics, count, files))
    return "\n".join(lines)


def render(kind: str, diagnostics: Sequence[Diagnostic], count: int, files: int) -> str:
    """The report in format `kind`: `text`, `json` or `github`."""
    return {"text": text, "json": as_json, "github": github}[kind](diagnostics, count, files)
