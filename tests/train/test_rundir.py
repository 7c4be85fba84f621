"""Every state a fault can leave a run directory in (`_rundir.STATES`), made for
real (a real signal, a real full tmpfs, the bytes a kill leaves), and the
command each message names, run to show that it works."""

import io
import json
import os
import signal

import pytest
from test_faults import copy_run, fill, mount, snapshot  # noqa: F401 (a fixture)

from typedlenet import _cli
from typedlenet.train._checkpoint import read_header
from typedlenet.train._rundir import STATES, RunState, curves_current, inspect

from test_data import make_dataset
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


def train(tiny, run, epochs, *more):
    return ["train", *TINY, "--data-dir", tiny, "--epochs", epochs, "--checkpoint-dir", run, *more]


class SignalOn(io.StringIO):
    """Standard output that sends this process `signum` when `text` is printed."""

    def __init__(self, text: str, signum: int) -> None:
        super().__init__()
        self.text, self.signum, self.sent = text, signum, False

    def write(self, s: str) -> int:
        written = super().write(s)
        if not self.sent and self.text in s:
            self.sent = True
            os.kill(os.getpid(), self.signum)
        return written


def cli_signalled(text, signum, *args):
    """`cli`, with a real `signum` sent to the process when `text` is printed."""
    import contextlib

    out, err = SignalOn(text, signum), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = _cli.main([str(a) for a in args])
    return status, out.getvalue(), err.getvalue()


def test_the_table_has_one_row_per_state_and_each_names_a_way_on():
    assert set(STATES) == set(RunState)
    for rule in STATES.values():
        assert rule.holds and rule.kept and rule.then
        assert {rule.fresh[0], rule.resume[0]} <= {"start", "continue", "refuse"}
        for action, message in (rule.fresh, rule.resume):
            assert action != "refuse" or "--" in (message or ""), rule  # names a flag


def test_empty_with_resume_starts_at_epoch_1_and_says_so(tmp_path, tiny):
    run = tmp_path / "run"
    run.mkdir()
    assert inspect(run).state is RunState.EMPTY
    status, out, err = cli(*train(tiny, run, 1, "--resume"))
    assert status == 0, err
    assert f"--resume: {run} holds no checkpoint yet: starting at epoch 1" in out
    assert [r["epoch"] for r in metrics(run)] == [1]
    assert inspect(run).state is RunState.COMPLETE


@pytest.mark.parametrize("resume", [False, True], ids=["plain", "resume"])
def test_a_kill_after_the_first_metrics_line_starts_again_either_way(
    tmp_path, tiny, finished, resume
):
    # What a kill after epoch 1's metrics line, before its checkpoint, leaves (the
    # line is synced before the checkpoint is written).
    run = tmp_path / "run"
    run.mkdir()
    first = (finished / "metrics.jsonl").read_text().splitlines(keepends=True)[0]
    (run / "metrics.jsonl").write_text(first)
    assert inspect(run).state is RunState.NO_CHECKPOINT
    status, out, err = cli(*train(tiny, run, 2, *(["--resume"] if resume else [])))
    assert status == 0, err
    assert f"{run} holds no checkpoint (metrics.jsonl left): starting at epoch 1" in out
    assert metrics(run) == metrics(finished)
    assert (run / "last.eqx").read_bytes() == (finished / "last.eqx").read_bytes()


def test_a_first_checkpoint_that_does_not_fit_says_how_to_start_again(tmp_path, tiny, request):
    disk = request.getfixturevalue("mount")("disk", "size=4m")  # a real tmpfs (root only)
    run = disk / "run"
    run.mkdir()
    filler = fill(disk)
    os.truncate(filler, filler.stat().st_size - (8 << 10))  # room for the metrics line only
    status, out, err = cli(*train(tiny, run, 1))
    assert status == 1 and "Traceback" not in err and "epoch 1/1:" not in out
    assert f"--checkpoint-dir {run}: cannot save epoch 1 (No space left on device" in err
    assert (
        "no checkpoint was written; make room and run the same command to start at epoch 1" in err
    )
    assert inspect(run).state in (RunState.EMPTY, RunState.NO_CHECKPOINT)
    left = snapshot(run)
    filler.unlink()
    for name, more in (("resumed", ["--resume"]), ("plain", [])):  # both lead on from here
        again = disk / name
        again.mkdir()
        for file, data in left.items():
            (again / file).write_bytes(data)
        status, _, err = cli(*train(tiny, again, 1, *more))
        assert status == 0, err
        assert [r["epoch"] for r in metrics(again)] == [1]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_before_the_first_checkpoint_says_none_was_written(tmp_path, tiny, signum):
    run = tmp_path / "run"
    status, _, err = cli_signalled("verified before compute", signum, *train(tiny, run, 2))
    assert status == 128 + signum
    name = signal.Signals(signum).name
    assert err == (
        f"typedlenet train: interrupted ({name}): no checkpoint was written; run the same "
        "command to start at epoch 1\n"
    )
    assert not (run / "last.eqx").exists()
    status, _, err = cli(*train(tiny, run, 2))  # what it says works
    assert status == 0, err


def test_a_signal_after_a_checkpoint_names_it_and_resume_continues(tmp_path, tiny, finished):
    run = tmp_path / "run"
    status, _, err = cli_signalled("epoch 1/3", signal.SIGTERM, *train(tiny, run, 3))
    assert status == 128 + signal.SIGTERM
    assert err == (
        f"typedlenet train: interrupted (SIGTERM): the checkpoint {run / 'last.eqx'} (epoch 1) "
        "is kept; run the same command with --resume to continue\n"
    )
    found = inspect(run)
    assert found.state is RunState.STOPPED and (found.epoch, found.planned) == (1, 3)
    status, _, err = cli(*train(tiny, run, 3))  # a plain rerun names --resume
    assert status == 1
    assert (
        f"--checkpoint-dir {run} holds a run already, stopped after epoch 1 of 3 "
        "(last.eqx, metrics.jsonl): continue it with --resume, or pass --overwrite" in err
    )
    status, _, err = cli(*train(tiny, run, 3, "--resume"))
    assert status == 0, err
    assert [r["epoch"] for r in metrics(run)] == [1, 2, 3]


def test_a_picture_that_does_not_fit_is_a_warning_and_drawn_on_resume(tmp_path, tiny, request):
    disk = request.getfixturevalue("mount")("disk", "size=4m")  # a real tmpfs (root only)
    run = disk / "run"
    run.mkdir()
    filler = fill(disk)
    # Room for the metrics line and the checkpoint (72 KiB here), not the picture.
    size = filler.stat().st_size
    os.truncate(filler, size - (80 << 10))
    status, out, err = cli(*train(tiny, run, 1))
    assert status == 0, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"warning: cannot write {run / 'curves.png'} (No space left on")
    assert lines[0].endswith(
        "the checkpoint and metrics.jsonl are complete; make room and run the same command "
        "with --resume to draw it"
    )
    assert out.splitlines()[-1].endswith(f"metrics in {run} (curves.png not written)")
    assert read_header(run / "last.eqx")[0]["epoch"] == 1
    found = inspect(run)
    assert found.state is RunState.FINISHED and not (run / "curves.png").exists()
    status, _, err = cli(*train(tiny, run, 1))  # a plain rerun says how to draw it
    assert status == 1 and "draw its curves.png with --resume" in err
    filler.unlink()
    status, out, err = cli(*train(tiny, run, 1, "--resume"))
    assert status == 0, err
    assert f"drew {run / 'curves.png'} again (it was missing)" in out
    assert inspect(run).state is RunState.COMPLETE and curves_current(run)


def test_a_kill_at_the_pictures_rename_and_a_stale_picture_are_drawn_again(
    tmp_path, tiny, finished
):
    run = copy_run(finished, tmp_path / "run")
    # A kill between the picture's write and its rename: a temporary file, no picture.
    (run / ".last-write-curves.png-x1.tmp").write_bytes((run / "curves.png").read_bytes()[:999])
    (run / "curves.png").unlink()
    status, out, err = cli(*train(tiny, run, 2, "--resume"))
    assert status == 0, err
    assert "nothing to do" in out and f"drew {run / 'curves.png'} again (it was missing)" in out
    assert not list(run.glob("*.tmp")) and inspect(run).state is RunState.COMPLETE
    # A picture of other metrics (the file of another run).
    other = copy_run(finished, tmp_path / "other")
    with open(other / "metrics.jsonl", "a") as f:
        f.write(json.dumps({**metrics(finished)[-1], "epoch": 3}) + "\n")
    assert cli(*train(tiny, other, 3, "--resume"))[0] == 0
    (run / "curves.png").write_bytes((other / "curves.png").read_bytes())
    assert inspect(run).state is RunState.FINISHED
    status, out, err = cli(*train(tiny, run, 2, "--resume"))
    assert status == 0 and f"drew {run / 'curves.png'} again (it was stale)" in out, err
    before = snapshot(run)
    status, out, _ = cli(*train(tiny, run, 2, "--resume"))  # current: left alone
    assert status == 0 and "drew" not in out and snapshot(run) == before


def test_a_complete_run_is_refused_by_a_plain_run_naming_the_ways_on(tmp_path, tiny, finished):
    run = copy_run(finished, tmp_path / "run")
    assert inspect(run).state is RunState.COMPLETE
    before = snapshot(run)
    status, _, err = cli(*train(tiny, run, 2))
    assert status == 1 and snapshot(run) == before
    assert (
        f"--checkpoint-dir {run} holds a run already, finished after epoch 2 of 2 (last.eqx, "
        "metrics.jsonl, curves.png): extend it with --resume and more --epochs, or pass "
        "--overwrite to replace it" in err
    )
    status, _, err = cli(*train(tiny, run, 3, "--resume"))  # what it says works
    assert status == 0 and [r["epoch"] for r in metrics(run)] == [1, 2, 3], err


def test_an_unreadable_checkpoint_names_the_fault_and_overwrite(tmp_path, tiny, finished):
    run = copy_run(finished, tmp_path / "run")
    raw = (run / "last.eqx").read_bytes()
    (run / "last.eqx").write_bytes(raw[: len(raw) // 2])  # cut short
    found = inspect(run)
    assert found.state is RunState.UNREADABLE and "truncated" in found.problem
    for more, advice in (
        ([], "; pass --overwrite to start afresh, replacing it"),
        (["--resume"], "; pass --overwrite (without --resume) to start afresh"),
    ):
        status, _, err = cli(*train(tiny, run, 2, *more))
        assert status == 1 and f"{run / 'last.eqx'}: truncated" in err and advice in err, err
    status, _, err = cli(*train(tiny, run, 2, "--overwrite"))
    assert status == 0, err
    assert metrics(run) == metrics(finished)
