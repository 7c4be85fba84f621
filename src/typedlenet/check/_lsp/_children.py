"""Children: each check or trace runs as `typedlenet ARGS` in a supervised child
process, in its own session and process group, with a time limit
(`TYPEDLENET_LSP_TIMEOUT`); the group is killed past the limit, when the server
is stopped by a signal, and (by the child's first process) when the server dies.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

from ... import _config
from .._supervise import kill_group, supervised
from ._frames import _log

TIMEOUT_VARIABLE = "TYPEDLENET_LSP_TIMEOUT"
DEFAULT_TIMEOUT = _config.NUMBERS[TIMEOUT_VARIABLE]

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class _Children:
    """The server's checks and traces, one child at a time, each with a time limit."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.child: subprocess.Popen[str] | None = None

    def run(self, *args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess[str] | str:
        """`typedlenet ARGS` in a child with a time limit; a string says why it gave no result."""
        command = [sys.executable, "-m", "typedlenet", *args]
        try:
            child = subprocess.Popen(
                supervised(command),
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
            kill_group(child)  # only if it has not ended
            self.child = None
        return subprocess.CompletedProcess(command, child.returncode, out, err)

    def kill(self, *, reap: bool = True) -> None:
        child = self.child
        if child is not None:
            kill_group(child, reap=reap)


@contextlib.contextmanager
def _stopping_kills_child(children: _Children) -> Iterator[None]:
    """SIGTERM, SIGINT and SIGHUP kill the running check, then end the server as they would."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        children.kill(reap=False)  # the server ends now: init reaps it
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
