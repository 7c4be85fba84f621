"""The checking process: where `typedlenet check` and `typedlenet trace` import
the user's files and run their functions (`_supervise` starts it and watches it).

It reads its job (JSON) from its input, then reads nothing more (its input
becomes /dev/null), and sends its messages as JSON lines on the descriptor
named by its argument: `file` (an import begins), `target` (a function's check
begins), `diagnostic`, `trace` (a trace's rows and error), `error` (a file
that cannot be checked: the run stops) and `done`. Its stdout is the command's
stderr, so what user code prints never reaches the report. What a file prints
to stdout while it is imported is shown there too, and reported as an error
naming the file (rule `output`): a module that prints when imported corrupts
the output of every tool that imports it.

User code that raises `SystemExit` (`sys.exit`) or `KeyboardInterrupt` is
reported, not obeyed: the child has its own session, so no Ctrl-C reaches it,
and a signal sent to it ends it (SIGINT and SIGTERM take their default action)
and is reported by the command as a signal.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pathlib
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from ._checker import (
    CheckError,
    Diagnostic,
    Target,
    _shown,
    _suppressed,
    diagnose,
    load,
    not_verified,
    targets,
    verify_target,
)
from ._targets import find
from ._tracer import trace_loaded

__all__ = ["main"]

Send = Callable[..., None]


def _sender(fd: int) -> Send:
    def send(**message: Any) -> None:
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(fd, data) :]

    return send


def _fatal(error: BaseException, target: Target, files: set[str], send: Send) -> None:
    """Report user code that raised what would end the process (or the check)."""
    found = diagnose(error, target, files)
    at_import = target.name == ""
    subject = f"importing {_shown(target.path)}" if at_import else f"`{target.name}`"
    rest = "its functions were not checked" if at_import else "the rest of it was not checked"
    if isinstance(error, SystemExit):
        found.rule = "exit"
        found.message = (
            f"{subject} called sys.exit({error.code!r}), which would end the check: {rest}"
        )
    elif isinstance(error, KeyboardInterrupt):
        found.rule = "interrupt"
        found.message = f"{subject} raised KeyboardInterrupt (no signal was sent): {rest}"
    else:
        found.rule = "abort"
        found.message = f"{subject} raised {type(error).__name__}: {error}: {rest}"
    send(event="diagnostic", diagnostic=dataclasses.asdict(found))


@contextlib.contextmanager
def _stdout_into(sink: Any) -> Iterator[None]:
    """Descriptor 1 (and `sys.stdout`) written into the file `sink` meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(sink.fileno(), 1)
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _printed(path: pathlib.Path, text: bytes, send: Send) -> None:
    """Report what importing `path` printed to stdout, and show it on stderr."""
    os.write(2, text)
    lines = text.decode(errors="replace").splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    message = (
        f"importing {_shown(str(path))} printed to stdout ({len(text)} bytes; first line: "
        f"{first[:80]!r}): a module that prints when imported corrupts the output of the "
        'tools that import it; print under `if __name__ == "__main__":` instead'
    )
    found = Diagnostic(_shown(str(path)), 1, 0, 0, message, "output", "", [])
    send(event="diagnostic", diagnostic=dataclasses.asdict(found))


def _import(path: pathlib.Path, files: set[str], send: Send) -> Any:
    """The module of `path`, or None when its import raised SystemExit or
    KeyboardInterrupt (reported); another failure is a `CheckError`. What the
    import prints to stdout is reported (`_printed`)."""
    with tempfile.TemporaryFile() as sink:
        try:
            with _stdout_into(sink):
                return _load(path, files, send)
        finally:
            sink.seek(0)
            text = sink.read()
            if text:
                _printed(path, text, send)


def _load(path: pathlib.Path, files: set[str], send: Send) -> Any:
    at_import = Target("", None, str(path), 1, ())
    try:
        return load(path)
    except KeyboardInterrupt as error:
        _fatal(error, at_import, files, send)
    except CheckError as error:
        cause = error.__context__  # `load` raises its CheckError from the import's error
        if not isinstance(cause, SystemExit):
            raise
        _fatal(cause, at_import, files, send)
    return None


def _check(job: dict[str, Any], send: Send) -> None:
    files = [(pathlib.Path(p), only) for p, only in job["files"]]
    resolved = {str(p.resolve()) for p, _ in files} | {str(p) for p, _ in files}
    first, skip = job["start"]
    for index in range(first, len(files)):
        path, only = files[index]
        send(event="file", index=index)
        module = _import(path, resolved, send)
        if module is None:
            continue
        found_targets, skipped = find(module, path, only, job["extra"])
        if not (index == first and skip):  # an earlier process said these
            for note in not_verified(skipped):
                send(event="diagnostic", diagnostic=dataclasses.asdict(note))
        for number, target in enumerate(found_targets):
            if index == first and number < skip:
                continue  # checked by an earlier process
            send(event="target", index=index, target=number, name=target.name, line=target.line)
            try:
                found = verify_target(target, resolved)
            except CheckError:
                raise
            except BaseException as error:  # SystemExit, KeyboardInterrupt, ...
                _fatal(error, target, resolved, send)
                continue
            for diagnostic in found:
                if not _suppressed(diagnostic):
                    send(event="diagnostic", diagnostic=dataclasses.asdict(diagnostic))


def _trace(job: dict[str, Any], send: Send) -> None:
    path, name = pathlib.Path(job["path"]), job["name"]
    files = {str(path.resolve()), str(path)}
    send(event="file", index=0)
    module = _import(path, files, send)
    if module is None:
        return
    (target,) = targets(module, path, name, job["constraints"])
    send(event="target", index=0, target=0, name=target.name, line=target.line)
    try:
        rows, error = trace_loaded(module, path, name, job["constraints"])
    except CheckError:
        raise
    except BaseException as problem:  # SystemExit, KeyboardInterrupt, ...
        _fatal(problem, target, files, send)
        return
    found: Diagnostic | None = error
    send(event="trace", rows=rows, error=dataclasses.asdict(found) if found else None)


def main() -> None:
    """Run the job on this process's input; end with `os._exit` (the command
    kills this process's group once it has read `done`)."""
    fd = int(sys.argv[1])
    os.set_inheritable(fd, False)  # user code's own children do not hold the results
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_DFL)
    job = json.loads(sys.stdin.buffer.read())
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    send = _sender(fd)
    try:
        try:
            (_check if job["mode"] == "check" else _trace)(job, send)
        except CheckError as error:
            send(event="error", message=str(error))
        send(event="done")
    except BrokenPipeError:  # the command is gone
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)
