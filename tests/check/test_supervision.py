"""`typedlenet check` and `trace` run the user's code in a supervised child: each
test gives them a file that really exits, hangs, crashes, interrupts or prints,
runs the real command, and reads its exit status and report."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import pytest

SRC = pathlib.Path(__file__).resolve().parents[2] / "src"

ILL_TYPED = textwrap.dedent(
    """\
    import typedlenet as tl
    from typedlenet import Float, NamedArray


    def broken(X: Float[NamedArray, "batch:b embed:6"]):
        return tl.softmax(X, "hidden")
    """
)


def _environment(**extra):
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def typedlenet(*args, cwd, timeout=180, **env):
    """The real command, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "typedlenet", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_environment(**env),
        timeout=timeout,
    )


def write(directory, name, text):
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def _line(path, fragment):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


def test_os_exit_at_import_is_an_error_and_the_other_files_are_still_reported(tmp_path):
    (tmp_path / "pkg").mkdir()
    write(tmp_path / "pkg", "a_exits.py", "import os\nos._exit(0)\n")
    write(tmp_path / "pkg", "b_broken.py", ILL_TYPED)
    done = typedlenet("check", "pkg", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert (
        "pkg/a_exits.py:1:1: error: importing pkg/a_exits.py ended the checking process "
        "(exit status 0): its functions were not checked [exit]"
    ) in done.stdout
    assert "pkg/b_broken.py:6:12: error: softmax: `x` has no axis `hidden`" in done.stdout
    assert "Found 2 error(s)" in done.stdout and "Traceback" not in done.stderr

    traced = typedlenet("trace", "pkg/a_exits.py::anything", cwd=tmp_path)
    assert traced.returncode == 2
    assert "pkg/a_exits.py:1:1: error: importing pkg/a_exits.py ended" in traced.stdout


def test_sys_exit_in_a_checked_function_is_reported_beside_the_ill_typed_one(tmp_path):
    path = write(
        tmp_path,
        "net.py",
        """
        import sys

        import typedlenet as tl
        from typedlenet import Float, NamedArray


        def stop(X: Float[NamedArray, "batch:b"]):
            sys.exit(0)


        def broken(X: Float[NamedArray, "batch:b embed:6"]):
            return tl.softmax(X, "hidden")
        """,
    )
    done = typedlenet("check", "--format", "json", "net.py", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    report = json.loads(done.stdout)
    found = {d["target"]: d for d in report["diagnostics"]}
    assert set(found) == {"stop", "broken"} and report["checked"] == 2
    assert found["stop"]["rule"] == "exit" and found["stop"]["severity"] == "error"
    assert found["stop"]["line"] == _line(path, "sys.exit(0)")
    assert "`stop` called sys.exit(0)" in found["stop"]["message"]
    assert found["broken"]["rule"] == "axis"

    traced = typedlenet("trace", "net.py::stop", cwd=tmp_path)
    assert traced.returncode == 2 and "`stop` called sys.exit(0)" in traced.stdout


def test_keyboard_interrupt_raised_at_import_is_no_signal(tmp_path):
    write(tmp_path, "interrupts.py", "raise KeyboardInterrupt\n")
    write(tmp_path, "net.py", ILL_TYPED)
    done = typedlenet("check", "interrupts.py", "net.py", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "interrupted" not in done.stderr
    assert (
        "interrupts.py:1:1: error: importing interrupts.py raised KeyboardInterrupt "
        "(no signal was sent)"
    ) in done.stdout
    assert "[interrupt]" in done.stdout and "net.py:6:12: error: softmax" in done.stdout


def test_a_crash_in_a_checked_function_names_the_function_and_its_signal(tmp_path):
    write(
        tmp_path,
        "crash.py",
        """
        import os
        import signal

        from typedlenet import Float, NamedArray


        def crashes(X: Float[NamedArray, "batch:b"]):
            os.kill(os.getpid(), signal.SIGSEGV)


        def fine(X: Float[NamedArray, "batch:b"]):
            return X
        """,
    )
    done = typedlenet("check", "--format", "json", "crash.py", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    (crash,) = json.loads(done.stdout)["diagnostics"]
    assert crash["target"] == "crashes" and crash["rule"] == "signal" and crash["line"] == 8
    assert "killed by signal SIGSEGV" in crash["message"]
    assert json.loads(done.stdout)["checked"] == 2  # `fine` was checked in a new process


def test_what_a_module_prints_stays_out_of_the_json_report_and_is_an_error(tmp_path):
    write(
        tmp_path,
        "chatty.py",
        "import sys\nprint('{not json')\nprint('to stderr', file=sys.stderr)\n" + ILL_TYPED,
    )
    write(tmp_path, "quiet.py", ILL_TYPED)
    done = typedlenet("check", "--format", "json", "chatty.py", "quiet.py", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    report = json.loads(done.stdout)  # parses: the print went elsewhere
    rules = sorted((d["path"], d["rule"]) for d in report["diagnostics"])
    assert rules == [("chatty.py", "axis"), ("chatty.py", "output"), ("quiet.py", "axis")]
    (printed,) = [d for d in report["diagnostics"] if d["rule"] == "output"]
    assert "importing chatty.py printed to stdout" in printed["message"]
    assert "'{not json'" in printed["message"]
    assert "{not json" in done.stderr and "to stderr" in done.stderr
    # A module that prints only to stderr at import is not reported.
    write(tmp_path, "logs.py", "import sys\nprint('note', file=sys.stderr)\n" + ILL_TYPED)
    done = typedlenet("check", "--format", "json", "logs.py", cwd=tmp_path)
    assert done.returncode == 1 and "note" in done.stderr


def test_a_bad_time_limit_is_one_line_and_exit_2(tmp_path):
    write(tmp_path, "net.py", ILL_TYPED)
    done = typedlenet("check", "net.py", cwd=tmp_path, TYPEDLENET_CHECK_TIMEOUT="soon")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == (
        "typedlenet check: error: environment variable TYPEDLENET_CHECK_TIMEOUT='soon': "
        "expected a positive number"
    )
    done = typedlenet("check", "--timeout", "0", "net.py", cwd=tmp_path)
    assert done.returncode == 2 and "--timeout: expected a positive number" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_loop_at_import_is_stopped_at_the_time_limit(tmp_path):
    write(tmp_path, "loops.py", "while True:\n    pass\n")
    write(tmp_path, "net.py", ILL_TYPED)
    started = time.monotonic()
    done = typedlenet("check", "--timeout", "3", "loops.py", "net.py", cwd=tmp_path)
    took = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert (
        "loops.py:1:1: error: importing loops.py ran past the time limit of 3 s and was stopped"
    ) in done.stdout
    assert "[timeout]" in done.stdout and "net.py:6:12: error: softmax" in done.stdout
    assert took < 60


@pytest.mark.slow
def test_a_looping_function_is_stopped_and_the_rest_still_checked(tmp_path):
    path = write(
        tmp_path,
        "net.py",
        ILL_TYPED
        + '\n\ndef spins(X: Float[NamedArray, "batch:b"]):\n    while True:\n        pass\n',
    )
    done = typedlenet(
        "check", "--format", "json", "net.py", cwd=tmp_path, TYPEDLENET_CHECK_TIMEOUT="3"
    )
    assert done.returncode == 2, done.stderr
    found = {d["target"]: d for d in json.loads(done.stdout)["diagnostics"]}
    assert found["spins"]["rule"] == "timeout"
    assert found["spins"]["line"] == _line(path, "def spins")
    assert "ran past the time limit of 3 s" in found["spins"]["message"]
    assert found["broken"]["rule"] == "axis"


def _processes():
    """`{pid: (parent, session)}` of every process, read from /proc."""
    found = {}
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        found[int(entry.name)] = (int(fields[1]), int(fields[3]))
    return found


def _alive(pid):
    """Whether `pid` is a running process (not one killed and waiting to be reaped)."""
    try:
        os.kill(pid, 0)
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (ProcessLookupError, FileNotFoundError):
        return False
    return state not in ("Z", "X")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_ends_a_stuck_check_and_every_child(tmp_path):
    write(
        tmp_path,
        "stuck.py",
        """
        import subprocess
        import sys

        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
        while True:
            pass
        """,
    )
    check = subprocess.Popen(
        [sys.executable, "-m", "typedlenet", "check", "stuck.py"],
        cwd=tmp_path,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        descendants: set[int] = set()
        while time.monotonic() < deadline and len(descendants) < 3:
            time.sleep(0.2)  # the supervisor, the checking process and the sleeper
            table = _processes()
            sessions = {pid for pid, (parent, _) in table.items() if parent == check.pid}
            descendants = {pid for pid, (_, session) in table.items() if session in sessions}
        assert len(descendants) >= 3, descendants
        time.sleep(1)  # well into the loop
        check.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        _, err = check.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        check.kill()
        check.wait()
    assert check.returncode == 128 + signal.SIGTERM, err
    assert took < 5 and "typedlenet check: interrupted (SIGTERM)" in err
    time.sleep(0.5)  # killed processes are reaped by init
    assert [pid for pid in descendants if _alive(pid)] == []
