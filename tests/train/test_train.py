"""`typedlenet train`, `evaluate`, `predict`: end to end on tiny data made here."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from typedlenet import _cli
from typedlenet.train._checkpoint import read_header

from test_data import make_dataset

TINY = ["--dataset", "mnist", "--batch-size", "16", "--no-progress", "--log-interval", "2"]


def cli(*args):
    """Run the command in-process: (exit status, stdout, stderr)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = _cli.main([str(a) for a in args])
        except SystemExit as exit:
            status = exit.code
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("data") / "tiny")


def metrics(directory):
    rows = [json.loads(line) for line in (directory / "metrics.jsonl").read_text().splitlines()]
    return [
        {k: v for k, v in r.items() if k not in ("seconds", "samples_per_second")} for r in rows
    ]


def test_train_end_to_end_then_evaluate_and_predict(tmp_path, tiny):
    run = tmp_path / "run"
    status, out, err = cli(
        "train", *TINY, "--data-dir", tiny, "--epochs", 3, "--checkpoint-dir", run
    )
    assert status == 0, err
    assert "verified before compute: LeNet forward pass and training step" in out
    assert "epoch 3/3" in out and out.strip().splitlines()[-1].startswith("done: mnist, 3 epochs")
    rows = metrics(run)
    assert [r["epoch"] for r in rows] == [1, 2, 3]
    assert rows[-1]["train_loss"] < rows[0]["train_loss"]
    assert (run / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert read_header(run / "last.eqx")[0]["epoch"] == 3

    status, out, err = cli("evaluate", "--checkpoint", run / "last.eqx", "--data-dir", tiny)
    assert status == 0, err
    assert f"accuracy {100 * rows[-1]['test_accuracy']:.2f}%" in out
    assert "confusion matrix" in out

    from PIL import Image

    image = tmp_path / "digit.png"
    Image.fromarray(np.zeros((16, 16), np.uint8)).save(image)
    status, out, _ = cli("predict", "--checkpoint", run / "last.eqx", image)
    assert status == 0 and out.startswith(f"{image}: class ")
    Image.fromarray(np.zeros((20, 20), np.uint8)).save(tmp_path / "big.png")
    status, _, err = cli("predict", "--checkpoint", run / "last.eqx", tmp_path / "big.png")
    assert status == 1 and "20x20 pixels, but the model takes width 16 and height 16" in err
    status, out, _ = cli(
        "predict", "--checkpoint", run / "last.eqx", "--resize", tmp_path / "big.png"
    )
    assert status == 0


def test_same_seed_same_metrics(tmp_path, tiny):
    for name in ("a", "b"):
        assert (
            cli(
                "train",
                *TINY,
                "--data-dir",
                tiny,
                "--epochs",
                2,
                "--checkpoint-dir",
                tmp_path / name,
            )[0]
            == 0
        )
    assert metrics(tmp_path / "a") == metrics(tmp_path / "b")
    assert (tmp_path / "a" / "last.eqx").read_bytes() == (tmp_path / "b" / "last.eqx").read_bytes()


def test_kill_9_and_resume_is_bitwise_the_uninterrupted_run(tmp_path):
    data = make_dataset(tmp_path / "data", n_train=1500, n_test=50, size=28)
    args = ["train", *TINY, "--data-dir", data, "--epochs", 8]
    # The uninterrupted run.
    assert cli(*args, "--checkpoint-dir", tmp_path / "whole")[0] == 0
    # The same run, killed with SIGKILL after its second epoch's checkpoint.
    killed = tmp_path / "killed"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "typedlenet", *map(str, args), "--checkpoint-dir", str(killed)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        path = killed / "last.eqx"
        if path.exists() and read_header(path)[0]["epoch"] >= 2:
            break
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    interrupted_at = read_header(killed / "last.eqx")[0]["epoch"]
    assert 2 <= interrupted_at < 8
    status, out, err = cli(*args, "--checkpoint-dir", killed, "--resume")
    assert status == 0, err
    assert f"resumed from {killed / 'last.eqx'}: {interrupted_at} epochs" in out
    whole = (tmp_path / "whole" / "last.eqx").read_bytes()
    assert (killed / "last.eqx").read_bytes() == whole  # parameters, optimizer state, step


def test_bad_checkpoints_are_clear_errors_and_never_overwritten(tmp_path, tiny):
    run = tmp_path / "run"
    assert cli("train", *TINY, "--data-dir", tiny, "--epochs", 1, "--checkpoint-dir", run)[0] == 0
    checkpoint = run / "last.eqx"
    good = checkpoint.read_bytes()
    resume = [
        "train",
        *TINY,
        "--data-dir",
        tiny,
        "--epochs",
        2,
        "--checkpoint-dir",
        run,
        "--resume",
    ]

    status, _, err = cli(*resume[:-3], "--batch-size", 8, "--checkpoint-dir", run, "--resume")
    assert status == 1 and "cannot resume: --batch-size 8 does not match the checkpoint's 16" in err
    assert checkpoint.read_bytes() == good

    cases = {
        "truncated": good[:-100],
        "corrupt": good[:-10] + bytes(b ^ 0xFF for b in good[-10:]),
        "not a checkpoint": b"hello\n" + good,
    }
    messages = {
        "truncated": "truncated: the header promises",
        "corrupt": "corrupt: the parameters do not match their SHA-256",
        "not a checkpoint": "not a typedlenet checkpoint",
    }
    for case, content in cases.items():
        checkpoint.write_bytes(content)
        status, _, err = cli(*resume)
        assert status == 1 and messages[case] in err and str(checkpoint) in err, (case, err)
        assert "Traceback" not in err
        assert checkpoint.read_bytes() == content  # the run did not write over it
    checkpoint.unlink()  # metrics but no checkpoint: --resume starts at epoch 1
    status, out, err = cli(*resume)
    assert status == 0 and f"{run} holds no checkpoint (metrics.jsonl" in out, err


def test_divergence_stops_and_a_finished_run_is_never_overwritten(tmp_path, tiny):
    run = tmp_path / "run"
    assert cli("train", *TINY, "--data-dir", tiny, "--epochs", 1, "--checkpoint-dir", run)[0] == 0
    good = (run / "last.eqx").read_bytes()
    diverging = ["train", *TINY, "--data-dir", tiny, "--epochs", 3, "--lr", "1e30"]
    status, _, err = cli(*diverging, "--checkpoint-dir", run)
    assert status == 1
    assert "holds a run already, finished after epoch 1 of 1 (last.eqx, metrics.jsonl" in err
    assert "--resume and more --epochs, or pass --overwrite" in err
    assert (run / "last.eqx").read_bytes() == good
    status, _, err = cli(*diverging, "--checkpoint-dir", tmp_path / "fresh")
    assert status == 1
    assert "the training loss became nan in epoch 1: stopping; no checkpoint was written" in err


def test_overwrite_replaces_a_finished_run(tmp_path, tiny):
    run = tmp_path / "run"
    args = ["train", *TINY, "--data-dir", tiny, "--checkpoint-dir", run]
    assert cli(*args, "--epochs", 2)[0] == 0
    status, _, err = cli(*args, "--epochs", 1, "--overwrite")
    assert status == 0, err
    assert [r["epoch"] for r in metrics(run)] == [1]
    assert read_header(run / "last.eqx")[0]["epoch"] == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--nope"], "unrecognized arguments: --nope"),
        (["train", "--epochs", "0"], "argument --epochs: expected a positive integer, got 0"),
        (["train", "--lr", "fast"], "argument --lr: expected a positive number, got 'fast'"),
        (["train", "--dataset", "mnist"], "--dataset mnist needs --data-dir DIR"),
        (["train", "--data-dir", "/no/such/dir"], "no such directory: /no/such/dir"),
        (["train", "--dataset", "cifar"], "argument --dataset: invalid choice: 'cifar'"),
        (["train", "--height", "32"], "--height 32 does not match the images of mnist-5k (28)"),
        (["evaluate"], "the following arguments are required: --checkpoint"),
    ],
)
def test_cli_misuse_exits_2_without_traceback(args, message):
    status, _, err = cli(*args)
    assert status == 2
    assert message in err
    assert "Traceback" not in err


def test_dry_run_takes_one_step_per_epoch(tmp_path, tiny):
    run = tmp_path / "run"
    status, _, _ = cli(
        "train", *TINY, "--data-dir", tiny, "--epochs", 2, "--dry-run", "--checkpoint-dir", run
    )
    assert status == 0
    assert [r["step"] for r in metrics(run)] == [1, 2]


def _train_command(tiny, directory):
    return [
        sys.executable,
        "-m",
        "typedlenet",
        "train",
        *[a for a in TINY if a != "--no-progress"],
        "--data-dir",
        str(tiny),
        "--epochs",
        "2",
        "--checkpoint-dir",
        str(directory),
    ]


def test_a_log_gets_one_line_per_epoch_and_no_progress_frames(tmp_path, tiny):
    """Output to a file (not a terminal): no bar, whatever --no-progress says."""
    with open(tmp_path / "log", "w+b") as log:
        done = subprocess.run(
            _train_command(tiny, tmp_path / "run"), stdout=log, stderr=log, timeout=300
        )
        log.seek(0)
        text = log.read().decode()
    assert done.returncode == 0, text
    assert "\r" not in text and "step/s" not in text and "it/s" not in text, text
    epochs = [line for line in text.splitlines() if line.startswith("epoch ")]
    assert [line.split(":")[0] for line in epochs] == ["epoch 1/2", "epoch 2/2"], text


def test_a_terminal_gets_the_progress_bar(tmp_path, tiny):
    """The same command on a real pseudo-terminal draws the bar."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        _train_command(tiny, tmp_path / "run"), stdout=follower, stderr=follower
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=300) == 0
    text = b"".join(chunks).decode(errors="replace")
    assert "epoch 1/2" in text and "\r" in text and "step" in text, text
