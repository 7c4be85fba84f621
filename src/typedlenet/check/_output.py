"""Diagnostics as editors and CI read them: text, JSON, GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ._checker import Diagnostic

__all__ = ["render"]


def _caret(d: Diagnostic) -> str:
    source = d.source
    start = d.col if d.col else len(source) - len(source.lstrip())
    width = max(d.end_col - start, 1) if d.end_col > start else 1
    return " " * start + "^" * width


def text(diagnostics: Sequence[Diagnostic], count: int, files: int) -> str:
    lines = []
    for d in diagnostics:
        first, *rest = d.message.splitlines() or [""]
        lines.append(f"{d.path}:{d.line}:{d.col + 1}: error: {first} [{d.rule}]")
        if d.source:
            lines += [f"    {d.source}", f"    {_caret(d)}"]
        lines += [f"  {r.strip()}" for r in rest if r.strip()]
        lines += [f"  called from {p}:{n} in {fn}" for p, n, fn in reversed(d.chain)]
    if diagnostics:
        lines.append(
            f"Found {len(diagnostics)} error(s) in {count} checked function(s) and "
            f"module(s) ({files} file(s))."
        )
    else:
        lines.append(f"No errors: {count} function(s) and module(s) verified in {files} file(s).")
    return "\n".join(lines)


def as_json(diagnostics: Sequence[Diagnostic], count: int, files: int) -> str:
    return json.dumps(
        {
            "checked": count,
            "files": files,
            "diagnostics": [
                {
                    "path": d.path,
                    "line": d.line,
                    "column": d.col + 1,
                    "end_column": d.end_col + 1 if d.end_col else None,
                    "severity": "error",
                    "rule": d.rule,
                    "kind": d.kind,
                    "message": d.message,
                    "target": d.target,
                    "source": d.source,
                    "chain": [{"path": p, "line": n, "function": f} for p, n, f in d.chain],
                }
                for d in diagnostics
            ],
        },
        indent=2,
    )


def _escape(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github(diagnostics: Sequence[Diagnostic], count: int, files: int) -> str:
    lines = [
        f"::error file={d.path},line={d.line},col={d.col + 1},"
        f"title=typedlenet [{d.rule}]::{_escape(d.message)}"
        for d in diagnostics
    ]
    lines.append(text([], count, files) if not diagnostics else f"{len(diagnostics)} error(s)")
    return "\n".join(lines)


def render(kind: str, diagnostics: Sequence[Diagnostic], count: int, files: int) -> str:
    """The report in format `kind`: `text`, `json` or `github`."""
    return {"text": text, "json": as_json, "github": github}[kind](diagnostics, count, files)
