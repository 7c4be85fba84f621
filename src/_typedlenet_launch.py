"""The `typedlenet` command's entry point, importable without importing JAX.

Installed as the console script so that a signal is handled from the first
instant. While JAX and the library are imported, SIGINT or SIGTERM is recorded
(never raised: an exception raised inside a native module's initialiser or
callback aborts the process) and the command ends with one line and exit
128 + signal number once the imports are done; a second signal ends it at once.
When the reader of its output goes away (`typedlenet check . | head`), the
command ends quietly, as a command killed by SIGPIPE would.
The command itself then stops at its next safe point (`typedlenet.runtime._signals`).

After an interrupted command the process ends with `os._exit`, once stdout and
stderr are flushed: the interpreter's normal shutdown would tear Python down
while XLA's own threads (a compilation the signal cut short) may still be
running, which crashed it with a segmentation fault. Everything a run keeps is
on disk by then (each write is synced and renamed into place), and the kernel
releases its lock.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, NoReturn

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_received: list[int] = []


def _on_signal(signum: int, frame: Any) -> None:
    if _received:
        os.write(2, f"typedlenet: {signal.Signals(signum).name} again: stopping now\n".encode())
        os._exit(128 + signum)
    _received.append(signum)


def _leave(status: int) -> NoReturn:
    """End the process now, skipping the interpreter's shutdown (see above)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


def started_as_module() -> bool:
    """Whether this process is `python -m typedlenet` and Python is still finding
    the module (it sets `sys.argv[0]` to "-m" until `__main__` runs)."""
    if sys.argv[:1] != ["-m"]:
        return False
    argv = list(getattr(sys, "orig_argv", []))
    for i, word in enumerate(argv[:-1]):
        if word == "-m":
            return argv[i + 1] in ("typedlenet", "typedlenet.__main__")
        if word.startswith("-m"):  # python -mtypedlenet
            return word[2:] in ("typedlenet", "typedlenet.__main__")
    return False


def record_signals() -> None:
    """From now on SIGINT and SIGTERM are recorded for `main` (see above)."""
    for s in _SIGNALS:
        signal.signal(s, _on_signal)


def main() -> int:
    """Run `typedlenet` with signals handled from the start."""
    record_signals()
    from typedlenet._cli import main as run
    from typedlenet.runtime import _signals

    # From here on the command's own handlers record signals, for its safe points.
    _signals.install(_received)
    if _received:
        name = signal.Signals(_received[0]).name
        prog = " ".join(["typedlenet", *sys.argv[1:2]])
        print(f"{prog}: interrupted ({name}) while starting", file=sys.stderr)
        _leave(128 + _received[0])
    try:
        status = run()
        sys.stdout.flush()
    except BrokenPipeError:
        _reader_gone()
    if status - 128 in _SIGNALS:
        _leave(status)
    return status


def _reader_gone() -> NoReturn:
    """End quietly when the reader of stdout has gone (`typedlenet check | head`).

    What was not written has no reader; the exit status is a shell's for a
    process ended by SIGPIPE (128 + 13), so a pipeline with `pipefail` still sees it.
    Further writes (the interpreter's flush at exit) go to /dev/null.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    _leave(128 + signal.SIGPIPE)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
