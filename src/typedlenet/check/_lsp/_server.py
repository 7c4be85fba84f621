"""`typedlenet lsp`: a Language Server on stdin/stdout (JSON-RPC, LSP 3.17).

On open and save it publishes the diagnostics of `typedlenet check FILE`; on
hover it shows the named shape of what the hovered line computes (from
`typedlenet trace`). Each check runs in a child process, so that a user's
module is imported afresh after every edit and cannot take the server down.

Trust. Checking a file imports it: its module-level code runs, and so does the
code of everything it imports. Opening a file of a repository one has not
vetted (a clone to review, an attachment) must not run it, so the server runs
a file's code only where the user has trusted it, in the editor's own
configuration: the `initializationOptions` of `initialize` hold

- `"trust": true`: the editor vouches for its workspace, the folders it
  declares in `initialize` (`workspaceFolders`, else `rootUri`, else
  `rootPath`); when it declares none, for every file it opens;
- `"trust": ["/abs/folder", ...]`: the files under these folders (paths or
  `file:` URIs).

Nothing inside a workspace (no pyproject.toml, no file) can trust itself. An
editor with its own notion of trust passes its decision (VS Code:
`workspace.isTrusted`), never a setting the repository's own files can set.
For any other file the server runs nothing: it publishes the file's syntax
errors (found by compiling the text, which runs no code) and one
information-level diagnostic saying why it does not check and how to opt in;
hover answers null. Trusting a folder means trusting every file in it, and
the files it imports, to run with the editor's rights on every open and save.

Time limit. A check or trace has `TYPEDLENET_LSP_TIMEOUT` seconds (30) and
runs in its own session and process group, its input closed (it cannot read
the protocol). Past the limit the group is killed (SIGKILL) and the file gets a
diagnostic at line 1 saying so; hover says so. The group is also killed when
the server ends on SIGTERM, SIGINT or SIGHUP; if the server is killed outright
(SIGKILL), the child's first process, which runs no user code, kills the group
(on Linux, told by `PR_SET_PDEATHSIG`). Only processes that leave the group
(a new session of their own) can outlive a check.

Robustness. No frame and no params end the server: only `exit` and the end of
its input do (status 0 after `shutdown`, else 1). A message that cannot be
read is answered with a parse error (-32700, id null); a JSON value that is
not a request object (an array: LSP has no batches) with an invalid request
(-32600); a request with bad params with -32602; a notification with bad
params is logged and dropped. Framing, where a stream cannot tell:

- a Content-Length that is not a number, a header block without one, or a
  bare JSON object with no header is answered with a parse error at once, and
  what follows is skipped up to the next `Content-Length:` header, where the
  reader resynchronises (also in the middle of a line);
- too short: the cut body does not parse (parse error), and its rest is
  skipped the same way;
- too long: the reader cannot wait for bytes that will not come, nor know
  without a timeout that none will. It never waits past a complete JSON
  object: when the bytes read so far are one and no more input is ready, the
  frame ends there; when the body took in the start of the next frame's
  header, the frame ends before it and the next frame is read from there.
  Both are logged. (A body too long and not JSON waits for the next frame's
  header, and is answered with a parse error then);
- header lines that are not ASCII or not `Name: value` are ignored (logged).

Everything the server logs goes to stderr. Stdout carries the protocol alone:
the server moves anything else written to file descriptor 1 onto stderr.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import threading
import traceback
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from ... import _config

__all__ = ["serve"]

TIMEOUT_VARIABLE = "TYPEDLENET_LSP_TIMEOUT"
DEFAULT_TIMEOUT = _config.NUMBERS[TIMEOUT_VARIABLE]

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
NOT_INITIALIZED = -32002

ERROR, INFORMATION = 1, 3

_HEADER = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
# A whole Content-Length header line: raw line ends never occur inside JSON
# text (only between tokens), so this in a body is the next frame's header.
_NEXT_FRAME = re.compile(rb"content-length[ \t]*:[ \t]*[0-9]+[ \t]*\r?\n", re.IGNORECASE)
_CHUNK = 1 << 16
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _log(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(f"typedlenet lsp: {message}", file=sys.stderr, flush=True)


def _shown(data: bytes | bytearray, limit: int = 60) -> str:
    text = bytes(data[:limit]).decode("latin-1")
    return repr(text + ("..." if len(data) > limit else ""))


# --- Frames ---------------------------------------------------------------------------------


@dataclasses.dataclass
class _Unreadable:
    """A frame whose message cannot be read: answered with a parse error."""

    why: str


class _Reader:
    """Messages from a byte stream, resynchronising after a malformed frame."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._buffer = bytearray()
        self._ended = False
        self._skipping = False  # after a bad frame: skip up to the next Content-Length

    def read(self) -> Any:
        """The next message (a JSON value), an `_Unreadable`, or None at the end."""
        length = self._header()
        if length is None:
            return None
        if isinstance(length, str):
            self._skipping = True
            return _Unreadable(length)
        body = self._body(length)
        if body is None:
            return None
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as error:
            cut = _next_frame_in(body)
            if cut is not None:
                # Too long, and the next frame arrived with it: that frame starts here.
                self._buffer[:0] = body[cut:]
                _log(
                    f"Content-Length {length} runs into the next frame's header "
                    f"after {cut} bytes: the message ends there"
                )
                with contextlib.suppress(ValueError, RecursionError):
                    return json.loads(body[:cut])
            self._skipping = True
            return _Unreadable(f"the message is not JSON ({error})")

    def _fill(self) -> bool:
        """Add what the stream has to the buffer (waiting if it has nothing); False at its end."""
        if self._ended:
            return False
        read1 = getattr(self._stream, "read1", None)
        chunk = read1(_CHUNK) if read1 is not None else self._stream.read(1)
        if not chunk:
            self._ended = True
            return False
        self._buffer += chunk
        return True

    def _peek(self) -> int | None:
        """The first byte of the next frame, whitespace before it dropped; None at the end."""
        while True:
            rest = self._buffer.lstrip()
            if rest:
                del self._buffer[: len(self._buffer) - len(rest)]
                return self._buffer[0]
            self._buffer.clear()
            if not self._fill():
                return None

    def _line(self) -> bytes | None:
        """The next line, with its end (the last bytes at the end of input); None at the end."""
        start = 0
        while (end := self._buffer.find(b"\n", start)) < 0:
            start = len(self._buffer)
            if not self._fill():
                if not self._buffer:
                    return None
                end = len(self._buffer) - 1
                break
        line = bytes(self._buffer[: end + 1])
        del self._buffer[: end + 1]
        return line

    def _header(self) -> int | str | None:
        """The next frame's Content-Length; a string: why the frame is unreadable; None: the end."""
        first = self._peek()
        if first is None:
            return None
        if first in b"{[" and not self._skipping:
            return "a message without a Content-Length header"
        length: int | None = None
        problem = "a header without Content-Length"
        started = False
        while True:
            line = self._line()
            if line is None:
                if started:
                    _log("the input ended inside a header")
                return None
            line = line.strip()
            if not line:
                if started:
                    break
                continue  # blank lines between frames
            found = _HEADER.search(line)
            if found is None and self._skipping:
                _log(f"skipped {len(line)} bytes after a bad frame: {_shown(line)}")
                continue
            if found is not None and found.start() > 0:
                _log(f"skipped {found.start()} bytes before a header: {_shown(line)}")
                line = line[found.start() :]
                length, problem = None, "a header without Content-Length"
            if found is not None:
                self._skipping = False
            started = True
            name, colon, value = line.partition(b":")
            if not colon:
                _log(f"ignored a header line without ':': {_shown(line)}")
            elif name.strip().lower() == b"content-length":
                digits = value.strip()
                if digits.isdigit():  # ASCII digits only
                    length = int(digits)
                else:
                    length, problem = None, f"Content-Length {_shown(digits)} is not a number"
            elif not line.isascii():
                _log(f"ignored a header line that is not ASCII: {_shown(line)}")
        return problem if length is None else length

    def _body(self, length: int) -> bytes | None:
        """Up to `length` bytes, fewer where the frame visibly ends sooner; None at the end."""
        body = bytearray()
        scanned = 0
        while len(body) < length:
            if not self._buffer:
                # About to wait for more input: does the frame end here already?
                found = _NEXT_FRAME.search(body, scanned)
                if found is not None:
                    self._buffer[:0] = body[found.start() :]
                    _log(
                        f"Content-Length {length} runs into the next frame's header "
                        f"after {found.start()} bytes: the message ends there"
                    )
                    return bytes(body[: found.start()])
                if body.rstrip()[-1:] in (b"}", b"]") and _complete(body):
                    _log(
                        f"Content-Length {length} is longer than its message "
                        f"({len(body)} bytes): not waiting for the rest"
                    )
                    return bytes(body)
                scanned = max(0, len(body) - 256)
                if not self._fill():
                    _log(f"the input ended {length - len(body)} bytes into a message")
                    return None
            take = min(len(self._buffer), length - len(body))
            body += self._buffer[:take]
            del self._buffer[:take]
        return bytes(body)


def _next_frame_in(body: bytes) -> int | None:
    """Where the next frame's header starts in a body that does not parse: a
    whole header line, or the start (a prefix of `Content-Length:`) right after
    a complete JSON value."""
    found = _NEXT_FRAME.search(body)
    if found is not None:
        return found.start()
    text = body.decode("utf-8", "surrogateescape")
    start = len(text) - len(text.lstrip())
    try:
        _, end = json.JSONDecoder().raw_decode(text, start)
    except (ValueError, RecursionError):
        return None
    rest = text[end:].lstrip()
    if rest and "content-length:".startswith(rest[:15].lower()):
        return len(text[: len(text) - len(rest)].encode("utf-8", "surrogateescape"))
    return None


def _complete(body: bytes | bytearray) -> bool:
    """Whether `body` is one whole JSON object or array."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, (dict, list))


# --- Diagnostics ----------------------------------------------------------------------------


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


def _from_report(report: dict[str, Any], path: pathlib.Path) -> list[dict[str, Any]]:
    out = []
    for d in report["diagnostics"]:
        try:
            if (path.parent / d["path"]).resolve() != path.resolve():
                continue
            start = int(d["column"]) - 1
            end = int(d["end_column"] or d["column"] + 1) - 1
            out.append(_diagnostic(int(d["line"]) - 1, start, end, str(d["message"]), d["rule"]))
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


# --- Trust ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Trust:
    """Where the user lets the server run files' code."""

    everything: bool = False
    folders: tuple[pathlib.Path, ...] = ()

    def allows(self, path: pathlib.Path) -> bool:
        if self.everything:
            return True
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            return False
        return any(resolved.is_relative_to(folder) for folder in self.folders)


def _folder(given: str) -> pathlib.Path | None:
    path = _file(given) if given.startswith("file:") else pathlib.Path(given).expanduser()
    if path is None or not path.is_absolute():
        return None
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _workspace(params: dict[str, Any]) -> list[pathlib.Path]:
    """The folders the editor declared in `initialize`."""
    given: list[str] = []
    folders = params.get("workspaceFolders")
    if isinstance(folders, list):
        given = [f["uri"] for f in folders if isinstance(f, dict) and isinstance(f.get("uri"), str)]
    if not given and isinstance(params.get("rootUri"), str):
        given = [params["rootUri"]]
    if not given and isinstance(params.get("rootPath"), str):
        given = [params["rootPath"]]
    return [p for p in map(_folder, given) if p is not None]


def _trust(params: dict[str, Any]) -> _Trust:
    """The trust given in `initializationOptions` (none when absent or malformed)."""
    options = params.get("initializationOptions")
    given = options.get("trust", False) if isinstance(options, dict) else False
    if given is False or given is None:
        return _Trust()
    if given is True:
        workspace = _workspace(params)
        return _Trust(everything=not workspace, folders=tuple(workspace))
    if isinstance(given, list) and all(isinstance(f, str) for f in given):
        folders = []
        for f in given:
            folder = _folder(f)
            if folder is None:
                _log(f"initializationOptions trust: ignored {f!r} (not an absolute folder)")
            else:
                folders.append(folder)
        return _Trust(folders=tuple(folders))
    _log(
        f"initializationOptions trust={given!r:.100}: expected true, false or a list of "
        "folders; trusting nothing"
    )
    return _Trust()


def _untrusted(path: pathlib.Path) -> dict[str, Any]:
    message = (
        "typedlenet does not check this file: checking imports it, which runs its code, "
        f"and {path.parent} is not trusted. To trust it, give the language server the "
        'initialization option "trust": true (your editor\'s workspace) or '
        '"trust": ["/path/to/folder", ...] (in your editor\'s configuration of typedlenet lsp).'
    )
    return _diagnostic(0, 0, 1, message, "trust", INFORMATION)


# --- Children -------------------------------------------------------------------------------


# The child's first process: it runs no user code, only the check, in the
# process group it leads; when the server dies (however: Linux tells it by
# PR_SET_PDEATHSIG), it kills that whole group, itself included.
_SUPERVISOR = """
import ctypes, os, signal, subprocess, sys
def end(signum=None, frame=None):
    os.killpg(0, signal.SIGKILL)
if sys.platform.startswith("linux"):
    signal.signal(signal.SIGUSR1, end)
    try:
        ctypes.CDLL(None).prctl(ctypes.c_int(1), ctypes.c_ulong(signal.SIGUSR1))
    except (OSError, AttributeError):
        pass
    if os.getppid() != int(sys.argv[1]):
        end()
status = subprocess.call(sys.argv[2:])
sys.exit(status if status >= 0 else 128 - status)
"""


def _kill_group(child: subprocess.Popen[str], *, reap: bool = True) -> None:
    """SIGKILL to the child's process group (its own: it leads a new session);
    then, with `reap`, wait for it and close its pipes."""
    if child.returncode is None:  # not reaped: its group id is still its own
        with contextlib.suppress(ProcessLookupError, PermissionError, AttributeError):
            os.killpg(child.pid, signal.SIGKILL)  # no killpg on Windows: the child alone
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        if not reap:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=10)
    for pipe in (child.stdout, child.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


class _InvalidParams(Exception):
    pass


class _ClientGone(Exception):
    pass


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _InvalidParams(f"{where} must be an object")
    return value


def _field(mapping: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = mapping.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _InvalidParams(f"{where}.{key} must be a {kind.__name__}")
    return value


def _uri(params: dict[str, Any]) -> str:
    document = _object(params.get("textDocument"), "params.textDocument")
    return _field(document, "uri", str, "params.textDocument")


# --- The server -----------------------------------------------------------------------------


class _Server:
    def __init__(self, writer: BinaryIO, timeout: float) -> None:
        self._writer = writer
        self.timeout = timeout
        self.texts: dict[str, str] = {}
        self.initialized = False
        self.shut = False
        self.trust = _Trust()
        self.child: subprocess.Popen[str] | None = None
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
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        try:
            self._writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self._writer.flush()
        except (OSError, ValueError) as error:
            raise _ClientGone(str(error)) from None

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
        done = self._run("trace", f"{path}::{name}", cwd=path.parent)
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
        done = self._run("check", "--format", "json", str(path), cwd=path.parent)
        if isinstance(done, str):
            advice = f"set {TIMEOUT_VARIABLE} to change the limit" if "timed" in done else ""
            message = f"typedlenet check {done}" + (f" ({advice})" if advice else "")
            return [_diagnostic(0, 0, 1, message, "timeout" if advice else "error")]
        if done.returncode == 2:
            _, marker, message = done.stderr.rpartition("typedlenet check: error: ")
            message = (message if marker else done.stderr).strip()
            at = _SYNTAX_AT.search(message)
            line = int(at.group(1)) - 1 if at else 0
            return [_diagnostic(line, 0, 0, message, "syntax" if at else "import")]
        report = _report(done.stdout)
        if report is None:
            tail = "\n".join(done.stderr.strip().splitlines()[-20:])
            message = f"typedlenet check failed (exit status {done.returncode}): {tail}"
            return [_diagnostic(0, 0, 0, message, "error")]
        return _from_report(report, path)

    def _run(self, *args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess[str] | str:
        """`typedlenet ARGS` in a child with a time limit; a string says why it gave no result."""
        command = [sys.executable, "-m", "typedlenet", *args]
        supervised = [sys.executable, "-I", "-S", "-c", _SUPERVISOR, str(os.getpid()), *command]
        try:
            child = subprocess.Popen(
                supervised,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=cwd,
                encoding="utf-8",
                errors="replace",
                start_new_session=True,
            )
        except OSError as error:
            _log(f"could not start {' '.join(command)}: {error}")
            return f"could not start: {error}"
        self.child = child
        try:
            out, err = child.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _log(f"{' '.join(command)}: timed out after {self.timeout:g} s; killed")
            return f"timed out after {self.timeout:g} s and was stopped"
        finally:
            _kill_group(child)  # only if it has not ended
            self.child = None
        return subprocess.CompletedProcess(command, child.returncode, out, err)

    def kill_child(self, *, reap: bool = True) -> None:
        child = self.child
        if child is not None:
            _kill_group(child, reap=reap)


@contextlib.contextmanager
def _protocol_stdout() -> Iterator[BinaryIO]:
    """Stdout for the protocol alone: anything else written to file descriptor 1
    (a stray print, a C library's message) goes to stderr instead."""
    try:
        sys.stdout.flush()
        protocol = os.dup(1)
        saved = os.dup(1)
        os.dup2(2, 1)
    except (OSError, AttributeError, ValueError):
        yield sys.stdout.buffer
        return
    previous, sys.stdout = sys.stdout, sys.stderr
    writer = os.fdopen(protocol, "wb")
    try:
        yield writer
    finally:
        sys.stdout = previous
        os.dup2(saved, 1)
        os.close(saved)
        with contextlib.suppress(OSError):
            writer.close()


@contextlib.contextmanager
def _stopping_kills_child(server: _Server) -> Iterator[None]:
    """SIGTERM, SIGINT and SIGHUP kill the running check, then end the server as they would."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        server.kill_child(reap=False)  # the server ends now: init reaps it
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    previous = {}
    for s in _STOP_SIGNALS:
        if signal.getsignal(s) is not signal.SIG_IGN:
            previous[s] = signal.signal(s, stop)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def serve(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> int:
    """Answer LSP messages until `exit` or the end of input; the exit status (0
    after `shutdown`, 1 otherwise, 2 when TYPEDLENET_LSP_TIMEOUT is invalid)."""
    try:
        timeout = _config.number(TIMEOUT_VARIABLE, DEFAULT_TIMEOUT)
    except ValueError as error:
        print(f"typedlenet lsp: error: {error}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        writer = stdout if stdout is not None else stack.enter_context(_protocol_stdout())
        server = _Server(writer, timeout)
        stack.enter_context(_stopping_kills_child(server))
        stack.callback(server.kill_child)
        try:
            return server.run(_Reader(stdin if stdin is not None else sys.stdin.buffer))
        except _ClientGone as gone:
            _log(f"the editor closed the connection ({gone})")
            return 0 if server.shut else 1
    raise AssertionError("unreachable")  # pragma: no cover
