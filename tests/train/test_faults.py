"""Faults in training runs, made for real (corrupt bytes, cut files, a full disk,
a directory that is a file): a one-line error that names the file or flag, the
documented exit status, and not a byte of a good checkpoint lost."""

import errno
import gzip
import json
import os
import pathlib
import shutil
import signal
import struct
import subprocess
import sys
import time

import numpy as np
import pytest

from typedlenet.runtime import _signals
from typedlenet.train import _checkpoint
from typedlenet.train._checkpoint import read_header

from test_data import make_dataset, write_idx
from test_train import TINY, cli, metrics


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("data") / "tiny")


@pytest.fixture(scope="module")
def finished(tmp_path_factory, tiny):
    """A run of 2 epochs, finished."""
    run = tmp_path_factory.mktemp("runs") / "done"
    status, _, err = cli("train", *TINY, "--data-dir", tiny, "--epochs", 2, "--checkpoint-dir", run)
    assert status == 0, err
    return run


def snapshot(directory: pathlib.Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def copy_run(source: pathlib.Path, target: pathlib.Path) -> pathlib.Path:
    target.mkdir()
    for name, data in snapshot(source).items():
        (target / name).write_bytes(data)
    return target


def test_resuming_a_finished_run_has_nothing_to_do(tmp_path, tiny, finished):
    run = copy_run(finished, tmp_path / "run")
    before = snapshot(run)
    status, out, err = cli(
        "train", *TINY, "--data-dir", tiny, "--epochs", 2, "--checkpoint-dir", run, "--resume"
    )
    assert status == 0, err
    assert f"nothing to do: {run / 'last.eqx'} already holds all 2 epochs" in out
    assert snapshot(run) == before


def test_a_flipped_bit_in_the_header_is_refused_and_the_file_kept(tmp_path, tiny, finished):
    run = copy_run(finished, tmp_path / "run")
    raw = (run / "last.eqx").read_bytes()
    line, _, payload = raw.partition(b"\n")
    flipped = line.replace(b'"epoch": 2', b'"epoch": 0')
    assert flipped != line
    (run / "last.eqx").write_bytes(flipped + b"\n" + payload)
    before = snapshot(run)
    status, _, err = cli(
        "train", *TINY, "--data-dir", tiny, "--epochs", 3, "--checkpoint-dir", run, "--resume"
    )
    assert status == 1
    assert "last.eqx: corrupt: the header does not match its SHA-256" in err
    assert "Traceback" not in err and snapshot(run) == before


def test_a_kill_between_metrics_and_checkpoint_is_repaired_on_resume(tmp_path, tiny, finished):
    # What a kill after the metrics line of epoch 3 but before its checkpoint leaves,
    # plus the cut half of a line: the resumed run keeps one line per epoch.
    run = copy_run(finished, tmp_path / "run")
    lines = (run / "metrics.jsonl").read_text().splitlines(keepends=True)
    orphan = json.loads(lines[-1]) | {"epoch": 3}
    with open(run / "metrics.jsonl", "a") as f:
        f.write(json.dumps(orphan) + "\n" + '{"epoch": 4, "train_lo')
    status, _, err = cli(
        "train", *TINY, "--data-dir", tiny, "--epochs", 3, "--checkpoint-dir", run, "--resume"
    )
    assert status == 0, err
    assert [r["epoch"] for r in metrics(run)] == [1, 2, 3]
    assert metrics(run)[:2] == metrics(finished)
    assert read_header(run / "last.eqx")[0]["epoch"] == 3


def test_a_full_disk_keeps_the_last_checkpoint_and_leaves_no_temporary_file(
    tmp_path, finished, monkeypatch
):
    run = copy_run(finished, tmp_path / "run")
    before = (run / "last.eqx").read_bytes()
    header, _ = read_header(run / "last.eqx")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)  # what _atomic calls
    state = _checkpoint.State({"w": np.zeros(3)}, None, 3, 9, header["meta"])
    with pytest.raises(OSError, match="No space left"):
        _checkpoint.write_checkpoint(run / "last.eqx", state)
    assert (run / "last.eqx").read_bytes() == before
    assert not list(run.glob("*.tmp"))


@pytest.fixture
def mount(tmp_path):
    """Mount a real tmpfs (root only; skipped elsewhere): `mount(name, options)`."""
    mounted = []

    def make(name: str, options: str) -> pathlib.Path:
        target = tmp_path / name
        target.mkdir()
        if os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("mounting a file system needs root")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True
        )
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(target)
        return target

    yield make
    for target in mounted:
        subprocess.run(["umount", "-l", str(target)], check=False)


def fill(directory: pathlib.Path) -> pathlib.Path:
    """Fill the file system of `directory` to the last byte; return the filler."""
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as f:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError as error:
                assert error.errno == errno.ENOSPC
    return filler


def test_a_really_full_disk_mid_run_is_one_line_and_loses_nothing(tmp_path, tiny, finished, mount):
    disk = mount("disk", "size=4m")
    run = copy_run(finished, disk / "run")
    before = snapshot(run)
    filler = fill(disk)
    status, _, err = cli(
        "train", *TINY, "--data-dir", tiny, "--epochs", 4, "--checkpoint-dir", run, "--resume"
    )
    assert status == 1 and "Traceback" not in err
    assert f"--checkpoint-dir {run}: cannot save epoch 3 (No space left on device" in err
    assert f"the checkpoint {run / 'last.eqx'} (epoch 2) is kept" in err and "--resume" in err
    assert snapshot(run) == before  # nothing lost, no temporary file left
    filler.unlink()
    status, _, err = cli(
        "train", *TINY, "--data-dir", tiny, "--epochs", 4, "--checkpoint-dir", run, "--resume"
    )
    assert status == 0, err
    assert [r["epoch"] for r in metrics(run)] == [1, 2, 3, 4]
    assert metrics(run)[:2] == metrics(finished)


def test_a_read_only_file_system_fails_before_training(tmp_path, tiny, mount):
    disk = mount("ro", "ro,size=1m")
    for target in (disk, disk / "run", "/proc", "/proc/self"):
        status, out, err = cli(
            "train", *TINY, "--data-dir", tiny, "--epochs", 1, "--checkpoint-dir", target
        )
        assert status == 1 and "Traceback" not in err, err
        assert f"--checkpoint-dir {target}: cannot write there" in err and "epoch 1" not in out


def test_stale_temporary_files_are_removed_at_start(tmp_path, tiny, finished):
    run = copy_run(finished, tmp_path / "run")
    stale = run / ".last-write-abc123.tmp"
    stale.write_bytes(b"\0" * 1000)
    status, out, err = cli(
        "train", *TINY, "--data-dir", tiny, "--epochs", 2, "--checkpoint-dir", run, "--resume"
    )
    assert status == 0, err
    assert not stale.exists() and f"removed {stale}" in out


def test_a_checkpoint_has_the_mode_of_the_other_files(finished):
    assert (finished / "last.eqx").stat().st_mode & 0o777 == (
        finished / "metrics.jsonl"
    ).stat().st_mode & 0o777


def test_an_unwritable_checkpoint_directory_fails_before_training(tmp_path, tiny):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    for target in (blocker, blocker / "below", ""):
        status, out, err = cli(
            "train", *TINY, "--data-dir", tiny, "--epochs", 1, "--checkpoint-dir", target
        )
        assert status == 1 and "Traceback" not in err
        assert "--checkpoint-dir" in err and "epoch 1" not in out


def test_labels_beyond_the_classes_fail_before_training(tmp_path):
    data = make_dataset(tmp_path / "data", gz=False)
    labels = np.full(64, 11, np.uint8)
    write_idx(data / "train-labels-idx1-ubyte", labels, code=0x08)
    status, out, err = cli(
        "train", *TINY, "--data-dir", data, "--epochs", 1, "--checkpoint-dir", tmp_path / "run"
    )
    assert status == 1
    assert "mnist (train): label 11 is not a class of a model with --classes 10" in err
    assert "epoch 1" not in out and not (tmp_path / "run").exists()


def test_a_gzip_stream_corrupt_near_its_start_names_the_file(tmp_path):
    data = make_dataset(tmp_path / "data")
    path = next(data.glob("train-images*.gz"))
    raw = bytearray(gzip.compress(b"x" * 5000))
    raw[12:20] = b"\xff" * 8
    path.write_bytes(bytes(raw))
    status, _, err = cli("train", *TINY, "--data-dir", data, "--checkpoint-dir", tmp_path / "r")
    assert status == 1 and f"{path}: cannot be read" in err and "Traceback" not in err


def test_a_seed_too_large_is_a_usage_error():
    status, _, err = cli("train", "--seed", str(2**64))
    assert status == 2 and "typedlenet train: error: argument --seed" in err


def test_sizes_that_cannot_fit_in_memory_are_refused_before_allocating():
    status, out, err = cli("train", "--hidden", 100000000, "--epochs", 1, "--checkpoint-dir", "x")
    assert status == 2 and "Traceback" not in err and "training LeNet" not in out
    assert "--hidden 100000000 --batch-size 64: training needs at least 427.2 GB" in err
    assert "26,700,002,560 parameters" in err and "memory available is" in err


def test_running_out_of_memory_anyway_is_one_line(tmp_path, tiny, monkeypatch):
    import jax

    from typedlenet._cli import train as train_command

    def exhausted(*args, **kwargs):
        raise jax.errors.JaxRuntimeError(
            "RESOURCE_EXHAUSTED: Out of memory allocating 102400000000 bytes.\nmore"
        )

    monkeypatch.setattr(train_command, "run_training", exhausted)
    status, _, err = cli("train", *TINY, "--data-dir", tiny, "--checkpoint-dir", tmp_path / "r")
    assert status == 1 and "Traceback" not in err
    assert "typedlenet train: error: out of memory (RESOURCE_EXHAUSTED: Out of memory" in err


def test_a_bug_inside_the_library_keeps_its_traceback(tmp_path, tiny, monkeypatch):
    from typedlenet import _cli
    from typedlenet._cli import train as train_command

    def broken(*args, **kwargs):
        raise ValueError("an internal bug")

    monkeypatch.setattr(train_command, "run_training", broken)
    with pytest.raises(ValueError, match="an internal bug"):
        _cli.main(["train", *TINY, "--data-dir", str(tiny), "--checkpoint-dir", str(tmp_path)])


def test_files_of_a_run_are_world_readable_as_umask_allows(finished):
    assert os.stat(finished / "last.eqx").st_mode & 0o044  # not 0600


def test_a_checkpoint_of_the_previous_format_still_reads(tmp_path, finished):
    raw = (finished / "last.eqx").read_bytes()
    line, _, payload = raw.partition(b"\n")
    header = json.loads(line)
    header["format"] = "typedlenet-checkpoint-1"
    del header["header_sha256"]
    (tmp_path / "old.eqx").write_bytes(json.dumps(header).encode() + b"\n" + payload)
    assert read_header(tmp_path / "old.eqx")[0]["epoch"] == 2


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_run_keeps_the_checkpoint_and_says_how_to_resume(tmp_path, signum):
    data = make_dataset(tmp_path / "data", n_train=1500, n_test=50, size=28)
    run = tmp_path / "run"
    args = ["train", *TINY, "--data-dir", data, "--epochs", 30, "--checkpoint-dir", run]
    proc = subprocess.Popen(
        [sys.executable, "-m", "typedlenet", *map(str, args)],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not (run / "last.eqx").exists():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    proc.send_signal(signum)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 128 + signum, err
    name = signal.Signals(signum).name
    epoch = read_header(run / "last.eqx")[0]["epoch"]
    assert err.endswith(
        f"typedlenet train: interrupted ({name}): the checkpoint {run / 'last.eqx'} (epoch "
        f"{epoch}) is kept; run the same command with --resume to continue\n"
    )
    assert "Traceback" not in err
    assert [r["epoch"] for r in metrics(run)][:epoch] == list(range(1, epoch + 1))


# The `typedlenet` console script, run as the installed one is, and
# `python -m typedlenet` (the README's first command).
LAUNCHERS = {
    "console-script": [
        sys.executable,
        "-c",
        "import sys, _typedlenet_launch; sys.exit(_typedlenet_launch.main())",
    ],
    "python-m": [sys.executable, "-m", "typedlenet"],
}
COMMAND = LAUNCHERS["console-script"]


def interrupt(args, signum: int, after: float, command=COMMAND) -> tuple[int, str]:
    """Start `typedlenet ARGS`, send it `signum` after `after` s: (status, stderr)."""
    proc = subprocess.Popen(
        [*command, *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    time.sleep(after)
    proc.send_signal(signum)
    return proc.wait(timeout=240), proc.stderr.read() if proc.stderr else ""


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_starting_is_one_line(tmp_path, tiny, signum, launcher):
    # 0.5 s in, JAX is usually still being imported.
    args = ["train", *TINY, "--data-dir", tiny, "--epochs", 1, "--checkpoint-dir", tmp_path / "r"]
    status, err = interrupt(args, signum, 0.5, LAUNCHERS[launcher])
    assert status == 128 + signum, err
    name = signal.Signals(signum).name
    # One line; "while starting" unless the imports were done within 0.5 s.
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"typedlenet train: interrupted ({name})"), err


@pytest.mark.slow
@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_signals_at_any_moment_of_start_up_never_crash(tmp_path, tiny, launcher):
    # Once, a SIGINT while XLA compiled crashed the interpreter's shutdown
    # (segmentation fault, exit 139) in one try of two at the wrong moment.
    # (A signal before Python has started at all kills it as it would any program.)
    for i in range(16):
        signum = (signal.SIGINT, signal.SIGTERM)[i % 2]
        run = tmp_path / f"r{i}"
        # Far more epochs than 4 s can train: a signal is never outlived (swallowed).
        args = ["train", *TINY, "--data-dir", tiny, "--epochs", 500, "--checkpoint-dir", run]
        status, err = interrupt(args, signum, 0.1 + 0.25 * i, LAUNCHERS[launcher])
        assert status == 128 + signum, (i, err)
        assert "Traceback" not in err and "Fatal" not in err, (i, err)
        assert f"interrupted ({signal.Signals(signum).name})" in err, (i, err)


def test_a_signal_waits_for_the_next_safe_point():
    before = signal.getsignal(signal.SIGINT)  # SIG_IGN in an xdist worker
    with _signals.handled():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.1)  # the handler has run: it raised nothing here
        assert _signals.pending() == signal.SIGTERM
        with pytest.raises(_signals.Stopped) as stop:
            _signals.check()
        assert stop.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGINT) == before  # put back as it was


SECOND_SIGNAL = """
import os, signal, time
from typedlenet.runtime import _signals
with _signals.handled():
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.2)  # waiting for a safe point, as during a long compilation
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(5)
print("not stopped")
"""


def test_a_second_signal_stops_at_once():
    done = subprocess.run([sys.executable, "-c", SECOND_SIGNAL], capture_output=True, text=True)
    assert done.returncode == 130 and done.stdout == "", done
    assert done.stderr == "typedlenet: SIGINT again: stopping now\n"


def test_resuming_with_other_epochs_says_what_changes(tmp_path, tiny, finished):
    run = copy_run(finished, tmp_path / "run")
    status, out, err = cli(
        "train", *TINY, "--data-dir", tiny, "--epochs", 3, "--checkpoint-dir", run, "--resume"
    )
    assert status == 0, err
    assert "note: --epochs 3 is not the 2 this run was planned with" in out


@pytest.mark.slow
def test_two_runs_cannot_share_a_directory(tmp_path):
    data = make_dataset(tmp_path / "data", n_train=1500, n_test=50, size=28)
    run = tmp_path / "run"
    args = ["train", *TINY, "--data-dir", data, "--epochs", 30, "--checkpoint-dir", run]
    first = subprocess.Popen(
        [sys.executable, "-m", "typedlenet", *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not (run / "last.eqx").exists():
            assert first.poll() is None, first.stderr.read() if first.stderr else ""
            time.sleep(0.05)
        second = subprocess.run(
            [sys.executable, "-m", "typedlenet", *map(str, args), "--resume"],
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert second.returncode == 1
        assert f"--checkpoint-dir {run}: another run is using it" in second.stderr
        assert first.poll() is None  # the first run goes on
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=120)
    assert read_header(run / "last.eqx")[0]["epoch"] >= 1


@pytest.mark.parametrize(
    "fault, message",
    [
        ("float images", "(train): images are float32; the standard files hold unsigned bytes"),
        ("empty split", "(test): no images"),
        ("sizes differ", "the training images are 16×16, the test images 20×20"),
    ],
)
def test_datasets_that_cannot_train_are_refused_naming_the_directory(tmp_path, fault, message):
    data = make_dataset(tmp_path / "data", gz=False)
    if fault == "float images":  # IDX type 0x0D: big-endian float32
        header = bytes([0, 0, 0x0D, 3]) + struct.pack(">3I", 64, 16, 16)
        raw = header + np.zeros((64, 16, 16), ">f4").tobytes()
        (data / "train-images-idx3-ubyte").write_bytes(raw)
    elif fault == "empty split":
        write_idx(data / "t10k-images-idx3-ubyte", np.zeros((0, 16, 16)))
        write_idx(data / "t10k-labels-idx1-ubyte", np.zeros((0,)))
    else:
        write_idx(data / "t10k-images-idx3-ubyte", np.zeros((32, 20, 20)))
    status, out, err = cli("train", *TINY, "--data-dir", data, "--checkpoint-dir", tmp_path / "r")
    assert status == 1 and message in err and str(data) in err
    assert "Traceback" not in err and "epoch 1" not in out


def test_a_diverged_test_loss_keeps_the_checkpoint_and_names_its_epoch(
    tmp_path, tiny, finished, monkeypatch
):
    from typedlenet.train import _trainer

    run = copy_run(finished, tmp_path / "run")
    before = snapshot(run)
    real = _trainer.evaluate
    monkeypatch.setattr(
        _trainer, "evaluate", lambda *a, **k: {**real(*a, **k), "loss": float("nan")}
    )
    status, _, err = cli(
        "train", *TINY, "--data-dir", tiny, "--epochs", 3, "--checkpoint-dir", run, "--resume"
    )
    assert status == 1 and "Traceback" not in err
    assert "the test loss became nan after epoch 3: the model diverged" in err
    assert f"the checkpoint {run / 'last.eqx'} (epoch 2) is kept" in err
    assert snapshot(run) == before
