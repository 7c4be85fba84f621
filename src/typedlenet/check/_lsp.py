"""`typedlenet lsp`: a Language Server on stdin/stdout (JSON-RPC, LSP 3.17).

On open and save it publishes the diagnostics of `typedlenet check FILE`; on
hover it shows the named shape of what the hovered line computes (from
`typedlenet trace`). Each check runs in a child process, so that a user's
module is imported afresh after every edit and cannot take the server down.
"""

from __future__ import annotations

import ast
import json
import os
import pathlib
import subprocess
import sys
import urllib.parse
import urllib.request
from typing import Any, BinaryIO

__all__ = ["serve"]


def _read(stream: BinaryIO) -> dict[str, Any] | None:
    """One message, or None at the end of the stream."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        key, _, value = line.decode("ascii").partition(":")
        if key.lower() == "content-length":
            length = int(value)
    if length is None:
        return None
    return json.loads(stream.read(length))


def _write(stream: BinaryIO, message: dict[str, Any]) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    stream.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    stream.flush()


def _path(uri: str) -> pathlib.Path:
    return pathlib.Path(urllib.request.url2pathname(urllib.parse.urlparse(uri).path))


def _run(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "typedlenet", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=os.environ.copy())


def diagnostics(path: pathlib.Path) -> list[dict[str, Any]]:
    """The LSP diagnostics of one file (a failed import is one at line 1)."""
    done = _run("check", "--format", "json", str(path), cwd=path.parent)
    if done.returncode == 2:
        message = done.stderr.strip().removeprefix("typedlenet check: error: ")
        return [_diagnostic(0, 0, 0, message, "import")]
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return [_diagnostic(0, 0, 0, f"typedlenet check failed: {done.stderr.strip()}", "error")]
    out = []
    for d in report["diagnostics"]:
        if pathlib.Path(d["path"]).resolve() != path.resolve():
            continue
        start = d["column"] - 1
        end = (d["end_column"] or d["column"] + 1) - 1
        out.append(_diagnostic(d["line"] - 1, start, end, d["message"], d["rule"]))
    return out


def _diagnostic(line: int, start: int, end: int, message: str, rule: str) -> dict[str, Any]:
    return {
        "range": {
            "start": {"line": line, "character": start},
            "end": {"line": line, "character": max(end, start + 1)},
        },
        "severity": 1,
        "source": "typedlenet",
        "code": rule,
        "message": message,
    }


def _enclosing(text: str, line: int) -> str | None:
    """The top-level function or class whose source holds 1-based `line`."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            if node.lineno <= line <= (node.end_lineno or node.lineno):
                return node.name
    return None


def hover(path: pathlib.Path, text: str, line: int) -> str | None:
    """The named shape computed on 1-based `line`, from `typedlenet trace`."""
    name = _enclosing(text, line)
    if name is None:
        return None
    done = _run("trace", f"{path}::{name}", cwd=path.parent)
    for row in done.stdout.splitlines():
        where, _, rest = row.partition(": ")
        if where.rsplit(":", 1)[-1] == str(line) and not rest.startswith("error"):
            label, _, shape = rest.partition(": ")
            return f"`{label}`: {shape}"
    return None


def serve(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> int:
    """Answer LSP messages until `exit`; the exit status (0 after `shutdown`)."""
    reader = stdin or sys.stdin.buffer
    writer = stdout or sys.stdout.buffer
    texts: dict[str, str] = {}
    shut = False
    while (message := _read(reader)) is not None:
        method, ident = message.get("method"), message.get("id")
        params = message.get("params") or {}
        if method == "initialize":
            capabilities = {
                "textDocumentSync": {"openClose": True, "change": 1, "save": {"includeText": True}},
                "hoverProvider": True,
            }
            result = {"capabilities": capabilities, "serverInfo": {"name": "typedlenet"}}
            _write(writer, {"id": ident, "result": result})
        elif method in ("textDocument/didOpen", "textDocument/didSave"):
            document = params["textDocument"]
            uri = document["uri"]
            texts[uri] = document.get("text", params.get("text", texts.get(uri, "")))
            found = diagnostics(_path(uri))
            _write(
                writer,
                {
                    "method": "textDocument/publishDiagnostics",
                    "params": {"uri": uri, "diagnostics": found},
                },
            )
        elif method == "textDocument/didChange":
            changes = params.get("contentChanges") or [{}]
            texts[params["textDocument"]["uri"]] = changes[-1].get("text", "")
        elif method == "textDocument/hover":
            uri = params["textDocument"]["uri"]
            path = _path(uri)
            text = texts.get(uri) or path.read_text()
            shown = hover(path, text, params["position"]["line"] + 1)
            contents = {"kind": "markdown", "value": shown} if shown else None
            _write(writer, {"id": ident, "result": {"contents": contents} if contents else None})
        elif method == "shutdown":
            shut = True
            _write(writer, {"id": ident, "result": None})
        elif method == "exit":
            return 0 if shut else 1
        elif ident is not None:
            _write(
                writer,
                {"id": ident, "error": {"code": -32601, "message": f"unknown method {method}"}},
            )
    return 0 if shut else 1
