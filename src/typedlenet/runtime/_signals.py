"""Stopping on SIGINT or SIGTERM at a safe point, never in the middle of anything.

A Python signal handler that raises lands wherever the interpreter happens to
be: inside a callback from XLA's C++ (which aborts the process, or crashes it
at shutdown), or inside a garbage-collector callback (which swallows it, and the
run goes on). So the handler only records the signal, and the commands' long
loops call `check()` at their safe points (after each training step, each
evaluation batch, each checked file), which raises `Stopped` there. A second
signal while the first waits for its safe point (a long compilation) ends the
process at once. Nothing is installed on import; `handled()` installs the
handlers for the duration of a command.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["Stopped", "check", "handled", "install", "pending"]

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_pending: list[int] = []


class Stopped(KeyboardInterrupt):
    """A stop asked for by a signal (SIGINT is Ctrl-C; SIGTERM is what schedulers send)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _request(signum: int, frame: Any) -> None:
    if _pending:  # asked twice: the user will not wait for the safe point
        name = signal.Signals(signum).name
        os.write(2, f"typedlenet: {name} again: stopping now\n".encode())
        os._exit(128 + signum)
    _pending.append(signum)


def pending() -> int | None:
    """The first signal received since `handled()` began, if any."""
    return _pending[0] if _pending else None


def check() -> None:
    """A safe point: raise `Stopped` if a signal has arrived."""
    if _pending:
        raise Stopped(_pending[0])


def install(received: list[int] | tuple[int, ...] = ()) -> None:
    """Record SIGINT and SIGTERM from now on, the signals in `received` (caught by
    an earlier handler) counting as already arrived. For the console script,
    which then leaves them installed to the end of the process."""
    _pending[:] = list(received)
    for s in SIGNALS:
        signal.signal(s, _request)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Record SIGINT and SIGTERM while the block runs, for `check()` (main thread
    only; inside `install()`'s handlers, or another `handled()`, it changes nothing)."""
    if threading.current_thread() is not threading.main_thread() or all(
        signal.getsignal(s) is _request for s in SIGNALS
    ):
        yield
        return
    previous = {s: signal.signal(s, _request) for s in SIGNALS}
    _pending.clear()
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        sys.stderr.flush()
