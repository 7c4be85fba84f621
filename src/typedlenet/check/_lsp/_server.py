"""The server: `_Server` reads messages, answers requests (initialize, shutdown,
hover), acts on notifications (open, change, save, close), publishes each
file's diagnostics, and refuses what it cannot act on with JSON-RPC errors.
"""

from __future__ import annotations

import contextlib
import pathlib
import traceback
from collections.abc import Callable
from typing import Any, BinaryIO

from ._children import TIMEOUT_VARIABLE, _Children
from ._diagnostics import (
    _SYNTAX_AT,
    INFORMATION,
    _diagnostic,
    _enclosing,
    _file,
    _from_report,
    _report,
    _syntax_errors,
)
from ._frames import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    NOT_INITIALIZED,
    PARSE_ERROR,
    _ClientGone,
    _log,
    _Reader,
    _Unreadable,
    _write,
)
from ._params import _field, _InvalidParams, _object, _uri
from ._trust import _Trust, _trust, _untrusted


class _Server:
    """One editor's session: its texts, its trust, its state (initialized, shut down)."""

    def __init__(self, writer: BinaryIO, children: _Children) -> None:
        self._writer = writer
        self.children = children
        self.texts: dict[str, str] = {}
        self.initialized = False
        self.shut = False
        self.trust = _Trust()
        self._requests: dict[str, Callable[[dict[str, Any]], Any]] = {
            "initialize": self._initialize,
            "shutdown": self._shutdown,
            "textDocument/hover": self._hover,
        }
        self._notifications: dict[str, Callable[[dict[str, Any]], None]] = {
            "textDocument/didOpen": self._did_open,
            "textDocument/didSave": self._did_save,
            "textDocument/didChange": self._did_change,
            "textDocument/didClose": self._did_close,
        }

    def run(self, reader: _Reader) -> int:
        while True:
            message = reader.read()
            if message is None:
                return 0 if self.shut else 1
            if isinstance(message, _Unreadable):
                self._error(None, PARSE_ERROR, message.why)
                continue
            status = self.handle(message)
            if status is not None:
                return status

    def handle(self, message: Any) -> int | None:
        """Act on one message; the exit status when it is `exit`."""
        if not isinstance(message, dict):
            kind = "an array (a batch)" if isinstance(message, list) else type(message).__name__
            self._error(None, INVALID_REQUEST, f"{kind} is not a request: send a JSON object")
            return None
        request = "id" in message
        ident = message.get("id")
        if request and (isinstance(ident, bool) or not isinstance(ident, (int, str, type(None)))):
            self._error(None, INVALID_REQUEST, f"id {ident!r:.60} is not a number or a string")
            return None
        method = message.get("method")
        if not isinstance(method, str):
            if method is None and request and ("result" in message or "error" in message):
                _log("dropped a response: this server sends no requests")
            else:
                self._refuse(request, ident, INVALID_REQUEST, "a message without a method name")
            return None
        params = message.get("params")
        if params is None:
            params = {}
        if not isinstance(params, dict):
            self._refuse(request, ident, INVALID_PARAMS, f"{method}: params must be an object")
            return None
        if method == "exit":
            return 0 if self.shut else 1
        if not self.initialized and method != "initialize":
            self._refuse(request, ident, NOT_INITIALIZED, f"{method}: send initialize first")
            return None
        if self.shut and request:
            self._error(ident, INVALID_REQUEST, f"{method}: the server is shut down")
            return None
        try:
            if request:
                handler = self._requests.get(method)
                if handler is None:
                    self._error(ident, METHOD_NOT_FOUND, f"unknown method {method}")
                else:
                    self._send({"id": ident, "result": handler(params)})
            elif method in self._notifications:
                self._notifications[method](params)
        except _InvalidParams as error:
            self._refuse(request, ident, INVALID_PARAMS, f"{method}: {error}")
        except _ClientGone:
            raise
        except Exception as error:  # a bug: logged, answered, survived
            _log(f"{method} failed:\n{traceback.format_exc()}")
            self._refuse(request, ident, INTERNAL_ERROR, f"{method} failed: {error}")
        return None

    # Output.

    def _send(self, message: dict[str, Any]) -> None:
        _write(self._writer, message)

    def _error(self, ident: Any, code: int, message: str) -> None:
        _log(f"error {code}: {message}")
        self._send({"id": ident, "error": {"code": code, "message": message}})

    def _refuse(self, request: bool, ident: Any, code: int, message: str) -> None:
        """An error reply to a request; a line on stderr for a notification."""
        if request:
            self._error(ident, code, message)
        else:
            _log(f"dropped a notification: {message}")

    # Requests.

    def _initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.initialized:
            raise _InvalidParams("initialize was sent already")
        self.initialized = True
        self.trust = _trust(params)
        capabilities = {
            "textDocumentSync": {"openClose": True, "change": 1, "save": {"includeText": True}},
            "hoverProvider": True,
        }
        return {"capabilities": capabilities, "serverInfo": {"name": "typedlenet"}}

    def _shutdown(self, params: dict[str, Any]) -> None:
        self.shut = True

    def _hover(self, params: dict[str, Any]) -> dict[str, Any] | None:
        uri = _uri(params)
        position = _object(params.get("position"), "params.position")
        line = _field(position, "line", int, "params.position")
        _field(position, "character", int, "params.position")
        path = _file(uri)
        if path is None or line < 0 or not self.trust.allows(path):
            return None
        text = self.texts.get(uri)
        if text is None:  # never opened: the file on disk, if any
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
        name = _enclosing(text, line + 1)
        if name is None:
            return None
        done = self.children.run("trace", f"{path}::{name}", cwd=path.parent)
        if isinstance(done, str):
            return {"contents": {"kind": "markdown", "value": f"typedlenet trace {done}"}}
        for row in done.stdout.splitlines():
            where, _, rest = row.partition(": ")
            if where.rsplit(":", 1)[-1] == str(line + 1) and not rest.startswith("error"):
                label, _, shape = rest.partition(": ")
                return {"contents": {"kind": "markdown", "value": f"`{label}`: {shape}"}}
        return None

    # Notifications.

    def _did_open(self, params: dict[str, Any]) -> None:
        uri = _uri(params)
        text = _field(params["textDocument"], "text", str, "params.textDocument")
        self.texts[uri] = text
        self._publish(uri, text)

    def _did_save(self, params: dict[str, Any]) -> None:
        uri = _uri(params)
        text = params.get("text")
        if isinstance(text, str):
            self.texts[uri] = text
        self._publish(uri, text if isinstance(text, str) else None)

    def _did_change(self, params: dict[str, Any]) -> None:
        uri = _uri(params)
        changes = params.get("contentChanges")
        if not isinstance(changes, list) or not changes:
            raise _InvalidParams("params.contentChanges must be a non-empty array")
        last = _object(changes[-1], "params.contentChanges[-1]")
        text = _field(last, "text", str, "params.contentChanges[-1]")
        if "range" in last:  # not the full text we asked for: forget, read the disk later
            _log("ignored an incremental change (the server asked for full texts)")
            self.texts.pop(uri, None)
        else:
            self.texts[uri] = text

    def _did_close(self, params: dict[str, Any]) -> None:
        uri = _uri(params)
        self.texts.pop(uri, None)
        self._send(
            {"method": "textDocument/publishDiagnostics", "params": {"uri": uri, "diagnostics": []}}
        )

    def _publish(self, uri: str, text: str | None) -> None:
        path = _file(uri)
        if path is None:
            _log(f"not checking {uri}: not a file: URI")
            return
        found = self.diagnostics(path, text)
        self._send(
            {
                "method": "textDocument/publishDiagnostics",
                "params": {"uri": uri, "diagnostics": found},
            }
        )

    # Checks.

    def diagnostics(self, path: pathlib.Path, text: str | None) -> list[dict[str, Any]]:
        """The LSP diagnostics of one file (a failed import is one at line 1)."""
        source: str | bytes | None = text
        if source is None:
            with contextlib.suppress(OSError):
                source = path.read_bytes()
        syntax = _syntax_errors(source, path) if source is not None else []
        if not self.trust.allows(path):
            return [*syntax, _untrusted(path)]
        if syntax:
            return syntax  # importing it would only fail
        if not path.is_file():
            message = f"typedlenet checks files on disk, and {path} is none: save it to check it"
            return [_diagnostic(0, 0, 1, message, "import", INFORMATION)]
        done = self.children.run("check", "--format", "json", str(path), cwd=path.parent)
        if isinstance(done, str):
            advice = f"set {TIMEOUT_VARIABLE} to change the limit" if "timed" in done else ""
            message = f"typedlenet check {done}" + (f" ({advice})" if advice else "")
            return [_diagnostic(0, 0, 1, message, "timeout" if advice else "error")]
        report = _report(done.stdout)
        if done.returncode == 2 and report is not None:  # user code ended or hung the check
            return _from_report(report, path)
        if done.returncode == 2:
            _, marker, message = done.stderr.rpartition("typedlenet check: error: ")
            message = (message if marker else done.stderr).strip()
            at = _SYNTAX_AT.search(message)
            line = int(at.group(1)) - 1 if at else 0
            return [_diagnostic(line, 0, 0, message, "syntax" if at else "import")]
        if report is None:
            tail = "\n".join(done.stderr.strip().splitlines()[-20:])
            message = f"typedlenet check failed (exit status {done.returncode}): {tail}"
            return [_diagnostic(0, 0, 0, message, "error")]
        return _from_report(report, path)
