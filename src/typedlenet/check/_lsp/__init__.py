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

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import BinaryIO

from ... import _config
from ._children import DEFAULT_TIMEOUT, TIMEOUT_VARIABLE, _Children, _stopping_kills_child
from ._frames import _ClientGone, _log, _Reader
from ._server import _Server

__all__ = ["serve"]


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
        children = _Children(timeout)
        server = _Server(writer, children)
        stack.enter_context(_stopping_kills_child(children))
        stack.callback(children.kill)
        try:
            return server.run(_Reader(stdin if stdin is not None else sys.stdin.buffer))
        except _ClientGone as gone:
            _log(f"the editor closed the connection ({gone})")
            return 0 if server.shut else 1
    raise AssertionError("unreachable")  # pragma: no cover
