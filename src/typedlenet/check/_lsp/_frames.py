"""JSON-RPC frames: the reader of messages from a byte stream, the writer of
frames, the error codes, and the server's log (on stderr).

The reader never waits past a complete message and resynchronises after a
malformed frame; the package's docstring (Robustness) says what it does with
each kind of bad frame.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import sys
from typing import Any, BinaryIO

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
NOT_INITIALIZED = -32002

_HEADER = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
# A whole Content-Length header line: raw line ends never occur inside JSON
# text (only between tokens), so this in a body is the next frame's header.
_NEXT_FRAME = re.compile(rb"content-length[ \t]*:[ \t]*[0-9]+[ \t]*\r?\n", re.IGNORECASE)
_CHUNK = 1 << 16


def _log(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(f"typedlenet lsp: {message}", file=sys.stderr, flush=True)


def _shown(data: bytes | bytearray, limit: int = 60) -> str:
    text = bytes(data[:limit]).decode("latin-1")
    return repr(text + ("..." if len(data) > limit else ""))


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


class _ClientGone(Exception):
    """The editor's end of the connection is closed: the server ends."""


def _write(writer: BinaryIO, message: dict[str, Any]) -> None:
    """Send one message, framed with its Content-Length (`_ClientGone` if it cannot)."""
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    try:
        writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        writer.flush()
    except (OSError, ValueError) as error:
        raise _ClientGone(str(error)) from None
