"""Files replaced whole or not at all: what a kill, a full disk or a power loss
may interrupt leaves the old file as it was."""

from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile

__all__ = ["TEMPORARY", "make_writable", "replace_file"]

TEMPORARY = ".last-write-"  # prefix of a write in progress, so a stale one can be found


def make_writable(directory: pathlib.Path) -> None:
    """`directory` exists (made if need be) and takes a file; an `OSError` if not."""
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=directory):
        pass


def replace_file(path: str | pathlib.Path, data: bytes) -> None:
    """Put `data` at `path` atomically and durably: a temporary file beside it,
    synced, given the mode any new file gets (not 0600), renamed over `path`,
    then the directory synced so that the rename survives a power loss. A failed
    write (a full disk) removes its temporary file; one a kill leaves behind is
    named `TEMPORARY...tmp`, for the next run to remove."""
    path = pathlib.Path(path)
    tmp = tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f"{TEMPORARY}{path.name}-", suffix=".tmp", delete=False
    )
    try:
        with tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp.name, 0o666 & ~umask)
        os.replace(tmp.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
