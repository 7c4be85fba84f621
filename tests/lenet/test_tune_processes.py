"""The autotune against real concurrent processes and real signals."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from test_data import make_dataset

pytestmark = pytest.mark.slow

TUNE = textwrap.dedent("""
    import sys, jax, typedlenet as tl
    from typedlenet.lenet import _tune
    _tune._BUDGET = 1.0  # long enough for the two processes to overlap
    tuned = _tune.tune(tl.LeNet(key=jax.random.PRNGKey(0)), 32, None, path=__import__(
        "pathlib").Path(sys.argv[1]))
    print(tuned.source)
""")


def test_two_processes_tuning_one_shape_take_turns(tmp_path):
    """Started together, one measures; the other waits for its choice and reads it
    (they never time against each other, and one choice is kept)."""
    path = tmp_path / "autotune.json"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", TUNE, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert sorted(out.strip() for out, _ in outs) == ["cache", "measured"], outs


def test_a_signal_during_the_autotune_stops_it_promptly(tmp_path):
    data = make_dataset(tmp_path / "data", size=28)
    env = {
        **os.environ,
        "TYPEDLENET_AUTOTUNE": "1",
        "TYPEDLENET_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "typedlenet", "train", "--dataset", "mnist"]
    command += ["--data-dir", str(data), "--batch-size", "64", "--no-progress"]
    command += ["--checkpoint-dir", str(tmp_path / "run")]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # the training starts on the built-in choice...
        if line.startswith("lowering:"):
            break
    else:
        pytest.fail(f"no lowering line: {proc.communicate()}")
    time.sleep(2.0)  # ...and times the candidates on its first steps: compiling, timing
    proc.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert time.monotonic() - sent < 15, "the autotune did not stop at a safe point"
    assert "autotune:" not in out, out  # stopped before the choice was made
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not list((tmp_path / "cache").glob(".last-write-*")), "a temporary file was left"
