"""A run's directory: writable before compute, owned by one run at a time, its
metrics file kept in step with its checkpoint after a kill at any instant, a
failed save said in one line, and its curves."""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import pathlib
from collections.abc import Iterator
from typing import Any

from ..runtime._atomic import make_writable, replace_file
from ._checkpoint import CheckpointError, read_header

__all__ = [
    "RUN_FILES",
    "appended",
    "kept_checkpoint",
    "metrics_upto",
    "owned",
    "plot_curves",
    "read_rows",
    "saving",
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


@contextlib.contextmanager
def owned(directory: pathlib.Path, *, resume: bool, overwrite: bool) -> Iterator[None]:
    """Hold `directory` for one run: a lock that a second run at the same time
    cannot take, and a refusal to start a fresh run over another run's files
    unless `overwrite` (which removes them first)."""
    with open(directory / ".lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise CheckpointError(
                f"--checkpoint-dir {directory}: another run is using it (it holds "
                f"{directory / '.lock'}); wait for it or choose another directory"
            ) from None
        present = [name for name in RUN_FILES if (directory / name).exists()]
        if present and not resume:
            if not overwrite:
                raise CheckpointError(
                    f"--checkpoint-dir {directory} holds a run already ({', '.join(present)}): "
                    "continue it with --resume, or pass --overwrite to replace it"
                )
            for name in present:
                (directory / name).unlink()
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def kept_checkpoint(path: pathlib.Path) -> str:
    """What a failed run leaves: the checkpoint's own epoch, read from its header."""
    if not path.exists():
        return "no checkpoint was written"
    try:
        return f"the checkpoint {path} (epoch {read_header(path)[0]['epoch']}) is kept"
    except CheckpointError:
        return f"{path} is left as it was"


@contextlib.contextmanager
def saving(directory: pathlib.Path, epoch: int, path: pathlib.Path) -> Iterator[None]:
    """A failed write (a full disk, a directory gone) as a `CheckpointError`
    that says what is kept and how to go on."""
    try:
        yield
    except OSError as error:
        kept = kept_checkpoint(path)
        raise CheckpointError(
            f"--checkpoint-dir {directory}: cannot save epoch {epoch} "
            f"({error.strerror or error}{f': {error.filename}' if error.filename else ''}); "
            f"{kept}; make room and run the same command with --resume to continue"
        ) from None


def plot_curves(directory: pathlib.Path) -> None:
    """`curves.png`: train and test loss, and test accuracy, by epoch."""
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
    fig.savefig(image, format="png", dpi=100)
    plt.close(fig)
    replace_file(directory / "curves.png", image.getvalue())
