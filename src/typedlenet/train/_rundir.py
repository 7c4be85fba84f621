"""A run's directory: writable before compute, owned by one run at a time, its
metrics file kept in step with its checkpoint after a kill at any instant, a
failed save said in one line, and its curves.

`STATES` is the one table of what a directory can hold after a fault (nothing;
metrics but no checkpoint; a checkpoint, the metrics perhaps a line past it; a
finished run whose picture is missing or stale; a complete run; a checkpoint
that cannot be read) and, for each, what a plain run and a run with --resume
do there, and what a run that stops there says it kept and how to go on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import fcntl
import hashlib
import io
import json
import os
import pathlib
import struct
from collections.abc import Iterator
from typing import Any

from ..runtime._atomic import make_writable, replace_file
from ._checkpoint import CheckpointError, read_header

__all__ = [
    "CURVES_KEY",
    "RUN_FILES",
    "STATES",
    "Found",
    "Rule",
    "RunState",
    "appended",
    "curves_current",
    "inspect",
    "metrics_digest",
    "metrics_upto",
    "owned",
    "plot_curves",
    "png_text",
    "read_rows",
    "saving",
    "stopped",
    "writable",
]

RUN_FILES = ("last.eqx", "metrics.jsonl", "curves.png")  # what a run writes


def writable(name: str) -> None:
    """The checkpoint directory exists (made if need be) and takes a file, checked
    before any compute; otherwise a `CheckpointError` that names it and why."""
    if not str(name).strip():
        raise CheckpointError("--checkpoint-dir is empty: name a directory")
    directory = pathlib.Path(name)
    try:
        make_writable(directory)
    except OSError as error:
        raise CheckpointError(
            f"--checkpoint-dir {directory}: cannot write there ({error.strerror or error})"
        ) from None


def read_rows(path: pathlib.Path) -> list[dict[str, Any]]:
    """The complete lines of `metrics.jsonl` (a cut last line is left out)."""
    rows = []
    for line in path.read_text().splitlines(keepends=True):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            break
        if not line.endswith("\n") or not isinstance(row, dict):
            break
        rows.append(row)
    return rows


def metrics_upto(directory: pathlib.Path, epoch: int) -> None:
    """Keep the complete lines of `metrics.jsonl` for epochs 1..`epoch`: a kill may
    have cut its last line, or written a line whose checkpoint never landed."""
    path = directory / "metrics.jsonl"
    if not path.exists():
        return
    kept = [r for r in read_rows(path) if isinstance(r.get("epoch"), int) and r["epoch"] <= epoch]
    text = "".join(json.dumps(r) + "\n" for r in kept)
    if text != path.read_text():
        replace_file(path, text.encode())


@contextlib.contextmanager
def appended(path: pathlib.Path, line: str) -> Iterator[None]:
    """Append `line` and a newline to `path`, synced to disk, for the block's sake:
    if the block fails (the checkpoint could not be written), the file is cut back
    to what it was, which needs no free space. A failed append (a full disk) may
    leave a cut line, which `read_rows` leaves out; so does a kill in the block."""
    size = path.stat().st_size if path.exists() else 0
    try:
        with open(path, "a") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            os.truncate(path, size)
        raise


class RunState(enum.Enum):
    """What a run directory holds, as a fault (a kill, a signal, a full disk) may
    leave it; `STATES` says what each leads to."""

    EMPTY = "empty"
    NO_CHECKPOINT = "no checkpoint"
    STOPPED = "stopped"
    FINISHED = "finished, picture missing or stale"
    COMPLETE = "complete"
    UNREADABLE = "unreadable checkpoint"


@dataclasses.dataclass(frozen=True)
class Rule:
    """One row of `STATES`. `fresh` and `resume` say what a plain run and a run
    with --resume do there: "start" (at epoch 1, removing what is left of the
    stopped run), "continue" (from the checkpoint) or "refuse" (a
    `CheckpointError`), with the line that says so (None: nothing to say).
    `kept` and `then` finish the line of a run that stops there: what is on disk,
    and the command that goes on from it. Messages are formatted with the fields
    of `Found`."""

    holds: str
    fresh: tuple[str, str | None]
    resume: tuple[str, str | None]
    kept: str
    then: str


_START_OVER = "run the same command to start at epoch 1"
_GO_ON = "run the same command with --resume to continue"
_KEPT = "the checkpoint {checkpoint} (epoch {epoch}) is kept"
_REFUSED = (
    "--checkpoint-dir {directory} holds a run already, {progress} ({files}): "
    "{advice}, or pass --overwrite to replace it"
)

# Every state a run directory can be in, and where each leads: one place for
# every message about a run directory, each of which names a command that works.
STATES: dict[RunState, Rule] = {
    RunState.EMPTY: Rule(
        holds="no run files (temporary files of an interrupted write aside)",
        fresh=("start", None),
        resume=("start", "--resume: {directory} holds no checkpoint yet: starting at epoch 1"),
        kept="no checkpoint was written",
        then=_START_OVER,
    ),
    RunState.NO_CHECKPOINT: Rule(
        holds=(
            "metrics.jsonl or curves.png but no last.eqx: a run stopped before its first "
            "checkpoint (a kill after the metrics line, a first checkpoint that did not fit)"
        ),
        fresh=("start", "{directory} holds no checkpoint ({files} left): starting at epoch 1"),
        resume=(
            "start",
            "--resume: {directory} holds no checkpoint ({files} left): starting at epoch 1",
        ),
        kept="no checkpoint was written",
        then=_START_OVER,
    ),
    RunState.STOPPED: Rule(
        holds=(
            "last.eqx of fewer epochs than planned; metrics.jsonl up to it, or a line past "
            "it or a cut line (a kill between the two), which a resume drops"
        ),
        fresh=("refuse", _REFUSED),
        resume=("continue", None),
        kept=_KEPT,
        then=_GO_ON,
    ),
    RunState.FINISHED: Rule(
        holds="last.eqx of every planned epoch, curves.png missing or not of its metrics",
        fresh=("refuse", _REFUSED),
        resume=("continue", None),
        kept=_KEPT,
        then="run the same command with --resume to draw curves.png",
    ),
    RunState.COMPLETE: Rule(
        holds="last.eqx of every planned epoch and curves.png of its metrics",
        fresh=("refuse", _REFUSED),
        resume=("continue", None),
        kept=_KEPT,
        then="run it with --resume and more --epochs to extend it",
    ),
    RunState.UNREADABLE: Rule(
        holds="a last.eqx that is not a readable checkpoint (corrupt, cut, not one)",
        fresh=("refuse", "{problem}; pass --overwrite to start afresh, replacing it"),
        resume=("refuse", "{problem}; pass --overwrite (without --resume) to start afresh"),
        kept="{checkpoint} is left as it was",
        then="pass --overwrite (without --resume) to start afresh",
    ),
}

_ADVICE = {
    RunState.STOPPED: "continue it with --resume",
    RunState.FINISHED: "draw its curves.png with --resume, or extend it with more --epochs",
    RunState.COMPLETE: "extend it with --resume and more --epochs",
}


@dataclasses.dataclass(frozen=True)
class Found:
    """A run directory as `inspect` found it: its `state`, the checkpoint's path,
    `epoch` and `planned` epochs (None without one), the run files present
    (`files`), and why the checkpoint cannot be read (`problem`)."""

    state: RunState
    directory: pathlib.Path
    epoch: int | None = None
    planned: int | None = None
    files: tuple[str, ...] = ()
    problem: str = ""

    @property
    def checkpoint(self) -> pathlib.Path:
        """The checkpoint's path."""
        return self.directory / "last.eqx"

    @property
    def rule(self) -> Rule:
        """This state's row of `STATES`."""
        return STATES[self.state]

    def say(self, message: str) -> str:
        """`message` with this directory's fields filled in."""
        progress = (
            f"finished after epoch {self.epoch} of {self.planned}"
            if self.state in (RunState.FINISHED, RunState.COMPLETE)
            else f"stopped after epoch {self.epoch} of {self.planned}"
        )
        return message.format(
            directory=self.directory,
            checkpoint=self.checkpoint,
            epoch=self.epoch,
            planned=self.planned,
            files=", ".join(self.files),
            problem=self.problem,
            progress=progress,
            advice=_ADVICE.get(self.state, ""),
        )

    def kept(self) -> str:
        """What a run that stops now keeps on disk."""
        return self.say(self.rule.kept)

    def then(self) -> str:
        """The command that goes on from here."""
        return self.say(self.rule.then)


def inspect(directory: pathlib.Path) -> Found:
    """The state of the run directory `directory` (see `STATES`)."""
    directory = pathlib.Path(directory)
    files = tuple(name for name in RUN_FILES if (directory / name).exists())
    if "last.eqx" not in files:
        return Found(RunState.NO_CHECKPOINT if files else RunState.EMPTY, directory, files=files)
    try:
        header, _ = read_header(directory / "last.eqx")
    except CheckpointError as error:
        return Found(RunState.UNREADABLE, directory, files=files, problem=str(error))
    epoch = header["epoch"]
    planned = header["meta"].get("epochs")
    planned = planned if isinstance(planned, int) else epoch
    if epoch < planned:
        state = RunState.STOPPED
    elif curves_current(directory, epoch):
        state = RunState.COMPLETE
    else:
        state = RunState.FINISHED
    return Found(state, directory, epoch, planned, files)


@contextlib.contextmanager
def owned(directory: pathlib.Path, *, resume: bool, overwrite: bool) -> Iterator[Found]:
    """Hold `directory` for one run: a lock that a second run at the same time
    cannot take; then what `STATES` says a run does there (a refusal, unless
    `overwrite` without `resume`, which removes the run files first). Yields
    what was found, the files of a run that never checkpointed removed."""
    with open(directory / ".lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise CheckpointError(
                f"--checkpoint-dir {directory}: another run is using it (it holds "
                f"{directory / '.lock'}); wait for it or choose another directory"
            ) from None
        found = inspect(directory)
        action, message = found.rule.resume if resume else found.rule.fresh
        if action == "refuse" and not (overwrite and not resume):
            raise CheckpointError(found.say(message or ""))
        if action != "continue":
            for name in found.files:
                (directory / name).unlink()
        try:
            yield found
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def stopped(directory: pathlib.Path) -> str:
    """What a run that stops now (a signal, a failed save, a divergence) keeps in
    `directory`, and how to go on: "<kept>; <then>"."""
    try:
        found = inspect(directory)
    except OSError:
        return f"{directory} is left as it was"
    return f"{found.kept()}; {found.then()}"


@contextlib.contextmanager
def saving(directory: pathlib.Path, epoch: int) -> Iterator[None]:
    """A failed write (a full disk, a directory gone) as a `CheckpointError`
    that says what is kept and how to go on."""
    try:
        yield
    except OSError as error:
        found = inspect(directory)
        raise CheckpointError(
            f"--checkpoint-dir {directory}: cannot save epoch {epoch} "
            f"({error.strerror or error}{f': {error.filename}' if error.filename else ''}); "
            f"{found.kept()}; make room and {found.then()}"
        ) from None


CURVES_KEY = "typedlenet-metrics-sha256"  # the PNG text field: what the picture shows


def metrics_digest(directory: pathlib.Path, epoch: int | None = None) -> str:
    """The SHA-256 of the complete lines of `metrics.jsonl` (up to `epoch`)."""
    path = directory / "metrics.jsonl"
    rows = read_rows(path) if path.exists() else []
    if epoch is not None:
        rows = [r for r in rows if isinstance(r.get("epoch"), int) and r["epoch"] <= epoch]
    return hashlib.sha256("".join(json.dumps(r) + "\n" for r in rows).encode()).hexdigest()


def png_text(path: pathlib.Path) -> dict[str, str]:
    """The text fields (tEXt chunks) of the PNG at `path`; empty if it is not one."""
    try:
        raw = path.read_bytes()
    except OSError:
        return {}
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        return {}
    fields, at = {}, 8
    while at + 8 <= len(raw):
        (length,) = struct.unpack(">I", raw[at : at + 4])
        kind, data = raw[at + 4 : at + 8], raw[at + 8 : at + 8 + length]
        if len(data) != length:
            break  # cut short
        if kind == b"tEXt":
            key, _, value = data.partition(b"\0")
            fields[key.decode("latin-1")] = value.decode("latin-1")
        at += 12 + length
    return fields


def curves_current(directory: pathlib.Path, epoch: int | None = None) -> bool:
    """Whether `curves.png` exists and shows the metrics of epochs 1..`epoch`."""
    drawn_from = png_text(directory / "curves.png").get(CURVES_KEY)
    return drawn_from == metrics_digest(directory, epoch)


def plot_curves(directory: pathlib.Path) -> None:
    """`curves.png`: train and test loss, and test accuracy, by epoch, with the
    SHA-256 of the metrics it shows in its text field `CURVES_KEY`."""
    path = directory / "metrics.jsonl"
    if not path.exists():
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = read_rows(path)
    epochs = [r["epoch"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(epochs, [r["train_loss"] for r in rows], label="train")
    left.plot(epochs, [r["test_loss"] for r in rows], label="test")
    left.set(xlabel="epoch", ylabel="cross-entropy", title="loss")
    left.legend()
    right.plot(epochs, [100 * r["test_accuracy"] for r in rows])
    right.set(xlabel="epoch", ylabel="%", title="test accuracy")
    fig.tight_layout()
    image = io.BytesIO()
    # The picture names the metrics it shows, so that a stale or missing one is
    # drawn again (`curves_current`).
    metadata = {CURVES_KEY: metrics_digest(directory)}
    fig.savefig(image, format="png", dpi=100, metadata=metadata)
    plt.close(fig)
    replace_file(directory / "curves.png", image.getvalue())
