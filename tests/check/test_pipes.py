"""A reader that goes away (`typedlenet check . | head`) ends the command quietly."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

ILL_TYPED = textwrap.dedent(
    """
    import typedlenet as tl
    from typedlenet import Float, NamedArray


    def broken(X: Float[NamedArray, "batch:b embed:6"], Y: Float[NamedArray, "batch:b embed:4"]):
        return X + Y
    """
)


LAUNCHERS = {
    "python -m typedlenet": ["-m", "typedlenet", "check", "net.py"],
    "console script": [
        "-c",
        "import sys, _typedlenet_launch as launch; sys.argv[1:] = ['check', 'net.py']; "
        "sys.exit(launch.main())",
    ],
}


@pytest.mark.parametrize("launcher", LAUNCHERS.values(), ids=LAUNCHERS.keys())
def test_a_closed_pipe_ends_check_with_sigpipe_status_and_no_traceback(tmp_path, launcher):
    (tmp_path / "net.py").write_text(ILL_TYPED)
    read, write = os.pipe()
    os.close(read)  # the reader has gone before anything is written: every write fails
    done = subprocess.run(
        [sys.executable, *launcher],
        cwd=tmp_path,
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
    )
    os.close(write)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == 128 + signal.SIGPIPE, (done.returncode, done.stderr)
