"""User code runs in a supervised child process: `typedlenet check` and
`typedlenet trace` import the user's files there (`_worker`), never in their
own process, so nothing a file does at import or in a checked function can
end, hang or corrupt the command.

- The child leads its own session and process group. Its first process runs
  no user code (`SUPERVISOR`, shared with the editor server's children): it
  starts the checking process and, when the command dies however it dies
  (Linux tells it by `PR_SET_PDEATHSIG`), kills the whole group, the user
  code's own children included.
- Results come back as JSON lines over a private pipe, never stdout. The
  child's stdout is the command's stderr: what a module prints at import (or a
  function prints) is shown there, and never reaches the report, so
  `--format json` stays valid. What a file prints while it is imported is
  also reported, as an error naming the file (rule `output`).
- Each file's import and each checked function get `--timeout` seconds
  (`TYPEDLENET_CHECK_TIMEOUT`, 60); the start of the child (importing JAX) gets
  at least `STARTUP` seconds.
- An abnormal end is an error diagnostic naming the file, and the function when
  one was being checked: an exit (`os._exit`, a native `exit`), a signal
  (a crash), a hang past the limit, and, caught in the child, `sys.exit` and a
  `KeyboardInterrupt` raised by user code. Its rule is one of `FATAL_RULES`,
  and the command exits 2. The rest is still checked: a fresh child goes on
  after the function (or the file) that ended the last one.
- SIGINT or SIGTERM to the command kills the child's group (SIGKILL), and the
  command ends with the signal's status (`runtime._signals`).
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from .. import _config
from ..runtime import _signals
from ._checker import CheckError, Diagnostic, _shown

__all__ = [
    "DEFAULT_TIMEOUT",
    "FATAL_RULES",
    "STARTUP",
    "SUPERVISOR",
    "TIMEOUT_VARIABLE",
    "check_files",
    "kill_group",
    "supervised",
    "timeout",
    "trace_file",
]

TIMEOUT_VARIABLE = "TYPEDLENET_CHECK_TIMEOUT"
DEFAULT_TIMEOUT = _config.NUMBERS[TIMEOUT_VARIABLE]

# The least time the child has to start (import Python, JAX and typedlenet)
# before its first file: a short --timeout is for the user's code alone.
STARTUP = 60.0

# The rules of the diagnostics that say a check could not finish (exit status 2).
FATAL_RULES = frozenset({"exit", "signal", "timeout", "interrupt", "abort", "output"})

# How often the command looks for a signal and for the child's end while it waits.
_TICK = 0.1

# A child's first process: it runs no user code, only the command given, in the
# process group it leads (its open descriptors passed on); when its parent dies
# (however: Linux tells it by PR_SET_PDEATHSIG), it kills that whole group,
# itself included. It ends as the command ended: by the same signal (no core
# dump of its own), or with the same status.
SUPERVISOR = """
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
status = subprocess.call(sys.argv[2:], close_fds=False)
if status < 0:
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(-status, signal.SIG_DFL)
    except (ImportError, OSError, ValueError):
        pass
    os.kill(os.getpid(), -status)
sys.exit(status if status >= 0 else 128 - status)
"""

# The checking process's own command (its argument: the results pipe's descriptor).
_WORKER = "from typedlenet.check._worker import main; main()"


def supervised(command: Sequence[str]) -> list[str]:
    """`command` under `SUPERVISOR`, which watches this process."""
    return [sys.executable, "-I", "-S", "-c", SUPERVISOR, str(os.getpid()), *command]


def kill_group(child: subprocess.Popen[Any], *, reap: bool = True) -> None:
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
    for pipe in (child.stdin, child.stdout, child.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


def timeout(given: float | None = None) -> float:
    """The time limit: `given` (`--timeout`), else `TYPEDLENET_CHECK_TIMEOUT`, else 60 s."""
    if given is not None:
        return given
    return _config.number(TIMEOUT_VARIABLE, DEFAULT_TIMEOUT)


def _environment() -> dict[str, str]:
    """The child's environment: this one, with this typedlenet first on its path."""
    root = str(pathlib.Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def _feed(stdin: Any, data: bytes) -> None:
    """Write the job to the child's input and close it (in a thread: the child
    reads it only once it has started)."""
    with contextlib.suppress(OSError, ValueError):
        stdin.write(data)
    with contextlib.suppress(OSError, ValueError):
        stdin.close()


def _ended(info: Any) -> str:
    """How a child ended, from `os.waitid` (or a Popen returncode)."""
    if isinstance(info, int):
        code, killed = (info, False) if info >= 0 else (-info, True)
    else:
        code, killed = info.si_status, info.si_code != os.CLD_EXITED
    if killed:
        with contextlib.suppress(ValueError):
            return f"killed by signal {signal.Signals(code).name}"
        return f"killed by signal {code}"
    return f"exit status {code}"


class _Child:
    """One checking process: started on `job`, read message by message, each
    stretch of user code given `limit` seconds, and killed (its whole group)
    when closed."""

    def __init__(self, job: dict[str, Any], limit: float) -> None:
        read, write = os.pipe()
        try:
            self.child = subprocess.Popen(
                supervised([sys.executable, "-c", _WORKER, str(write)]),
                stdin=subprocess.PIPE,
                stdout=2,  # what user code prints goes to stderr, never into the report
                pass_fds=(write,),
                start_new_session=True,
                env=_environment(),
            )
        except OSError as error:
            os.close(read)
            raise CheckError(f"cannot start the checking process: {error}") from None
        finally:
            os.close(write)
        self.read = read
        self.limit = limit
        self.deadline = time.monotonic() + max(limit, STARTUP)
        self.ending = ""  # how it ended, when it ended before its last message
        self.late = False  # whether it ran past its time
        data = json.dumps(job).encode()
        threading.Thread(target=_feed, args=(self.child.stdin, data), daemon=True).start()

    def restart_clock(self) -> None:
        """User code starts now: it has `limit` seconds."""
        self.deadline = time.monotonic() + self.limit

    def _exited(self) -> Any:
        """How the child ended, if it has (it stays unreaped: its group stays its own)."""
        if hasattr(os, "waitid"):
            with contextlib.suppress(ChildProcessError):
                return os.waitid(os.P_PID, self.child.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        return self.child.poll()

    def messages(self) -> Iterator[dict[str, Any]]:
        """The child's messages as they come; when it ends or runs past its time,
        the iteration ends and `ending` says how. A signal to the command stops
        it here (`Stopped`)."""
        buffer, open_ = b"", True
        while True:
            _signals.check()
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.ending = f"ran past the time limit of {self.limit:g} s and was stopped"
                self.late = True
                return
            ready = select.select([self.read], [], [], min(_TICK, left))[0] if open_ else []
            if not open_:
                time.sleep(min(_TICK, left))
            if ready:
                chunk = os.read(self.read, 1 << 16)
                open_ = bool(chunk)
                *lines, buffer = (buffer + chunk).split(b"\n")
                yield from _decoded(lines)
                continue
            status = self._exited()
            if status is not None:
                while select.select([self.read], [], [], 0)[0]:  # what it wrote before it ended
                    chunk = os.read(self.read, 1 << 16)
                    if not chunk:
                        break
                    *lines, buffer = (buffer + chunk).split(b"\n")
                    yield from _decoded(lines)
                self.ending = _ended(status)
                return

    def close(self) -> None:
        """Kill the child's whole group (its work is done, or it must stop) and reap it."""
        kill_group(self.child)
        with contextlib.suppress(OSError):
            os.close(self.read)

    def __enter__(self) -> _Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _decoded(lines: list[bytes]) -> Iterator[dict[str, Any]]:
    for line in lines:
        try:
            message = json.loads(line)
        except ValueError:
            continue  # not the checker's: user code wrote to the descriptor
        if isinstance(message, dict):
            yield message


def _diagnostic(fields: dict[str, Any]) -> Diagnostic:
    """A diagnostic sent by the child."""
    chain = [(str(p), int(n), str(f)) for p, n, f in fields.get("chain", [])]
    near = [(str(p), int(n), str(m)) for p, n, m in fields.get("related", [])]
    return Diagnostic(**{**fields, "chain": chain, "related": near})


def _stopped_at(
    path: pathlib.Path, where: dict[str, Any], ending: str, late: bool, *, going_on: bool
) -> Diagnostic:
    """The diagnostic of a child that ended (or ran past its time, `late`) in the
    middle of `where`: a file's import, or a target (`going_on`: the rest of the
    file is checked in a new child)."""
    name, shown = where.get("name"), _shown(str(path))
    subject = f"importing {shown}" if name is None else f"checking `{name}`"
    rest = ": its functions were not checked" if name is None else ""
    if name is not None and going_on:
        rest = ": the rest was checked in a new process"
    if late:
        message = f"{subject} {ending}{rest} (--timeout, {TIMEOUT_VARIABLE})"
        rule = "timeout"
    else:
        message = f"{subject} ended the checking process ({ending}){rest}"
        rule = "signal" if ending.startswith("killed") else "exit"
    line = int(where.get("line", 1))
    return Diagnostic(shown, line, 0, 0, message, rule, name or "")


def check_files(
    files: Sequence[tuple[pathlib.Path, str | None]], extra: Sequence[str], limit: float
) -> tuple[list[Diagnostic], int]:
    """Check `files` (`(file, only)`, as `expand` gives them) in supervised
    children: the diagnostics (those of abnormal ends included, their rules in
    `FATAL_RULES`) and the number of targets checked. A file that cannot be
    checked (its import raised) is a `CheckError`, as in `run_check`."""
    diagnostics: list[Diagnostic] = []
    count, start = 0, [0, 0]
    jobs = [[str(p), only] for p, only in files]
    while start[0] < len(files):
        job = {"mode": "check", "files": jobs, "start": start, "extra": list(extra)}
        where: dict[str, Any] | None = None
        with _Child(job, limit) as child:
            for message in child.messages():
                event = message.get("event")
                if event in ("file", "target"):
                    where = message
                    count += event == "target"
                    child.restart_clock()
                elif event == "diagnostic":
                    diagnostics.append(_diagnostic(message["diagnostic"]))
                elif event == "error":
                    raise CheckError(str(message.get("message")))
                elif event == "done":
                    return diagnostics, count
        if where is None:
            raise CheckError(f"the checking process ended before it began ({child.ending})")
        index = int(where["index"])
        stopped = _stopped_at(files[index][0], where, child.ending, child.late, going_on=True)
        diagnostics.append(stopped)
        start = [index, int(where["target"]) + 1] if "target" in where else [index + 1, 0]
    return diagnostics, count


def trace_file(
    path: pathlib.Path, name: str, constraints: Sequence[str], limit: float
) -> tuple[list[tuple[str, int, str, str]], Diagnostic | None]:
    """`trace_target` in a supervised child: the rows, and the diagnostic where
    it failed (an abnormal end's, its rule in `FATAL_RULES`) or None."""
    job = {"mode": "trace", "path": str(path), "name": name, "constraints": list(constraints)}
    where: dict[str, Any] | None = None
    found: Diagnostic | None = None
    with _Child(job, limit) as child:
        for message in child.messages():
            event = message.get("event")
            if event in ("file", "target"):
                where = message
                child.restart_clock()
            elif event == "diagnostic":
                found = _diagnostic(message["diagnostic"])
            elif event == "error":
                raise CheckError(str(message.get("message")))
            elif event == "trace":
                rows = [(str(p), int(n), str(label), str(s)) for p, n, label, s in message["rows"]]
                error = message.get("error")
                return rows, _diagnostic(error) if error is not None else None
            elif event == "done":
                return [], found
    if where is None:
        raise CheckError(f"the tracing process ended before it began ({child.ending})")
    return [], _stopped_at(path, where, child.ending, child.late, going_on=False)
