"""Checkpoints: a training state written atomically, read back only if intact.

One file holds a JSON header line (format, configuration, step, epoch, seed,
the SHA-256 and length of the payload, and the SHA-256 of the header itself)
and then the payload: the leaves of the
model and the optimizer state in equinox's serialisation (numpy's format; no
pickle). A write goes to a temporary file in the same directory, then
`os.replace` puts it in place: a reader sees the old file or the new one,
never half of one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import pathlib
import stat
from typing import Any

import equinox as eqx

from ..runtime._atomic import TEMPORARY, replace_file

__all__ = [
    "CheckpointError",
    "State",
    "read_checkpoint",
    "read_header",
    "remove_stale_writes",
    "write_checkpoint",
]

FORMAT = "typedlenet-checkpoint-2"  # 2: the header has its own SHA-256
_READABLE = (FORMAT, "typedlenet-checkpoint-1")


class CheckpointError(ValueError):
    """A checkpoint is missing, corrupt, truncated, or does not fit the run."""


@dataclasses.dataclass
class State:
    """What a run needs to continue: the model, the optimizer state, where it was."""

    model: Any
    opt_state: Any
    epoch: int  # epochs completed
    step: int  # optimizer steps taken
    meta: dict[str, Any]  # configuration, seed, dataset: everything JSON


def _header_digest(header: dict[str, Any]) -> str:
    """The SHA-256 of the header's own fields (all but this digest), canonically."""
    fields = {k: v for k, v in header.items() if k != "header_sha256"}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def remove_stale_writes(directory: pathlib.Path) -> list[pathlib.Path]:
    """Remove what interrupted writes left in `directory`; return what was removed."""
    removed = []
    for stale in directory.glob(f"{TEMPORARY}*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()
            removed.append(stale)
    return removed


def write_checkpoint(path: str | pathlib.Path, state: State) -> None:
    """Write `state` to `path` atomically and durably: a temporary file, fsynced,
    renamed over `path`, then the directory fsynced so that the rename survives a
    power loss. A failed write (a full disk) removes its temporary file and
    leaves the previous checkpoint as it was."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    eqx.tree_serialise_leaves(buffer, (state.model, state.opt_state))
    payload = buffer.getvalue()
    header: dict[str, Any] = {
        "format": FORMAT,
        "epoch": state.epoch,
        "step": state.step,
        "meta": state.meta,
        "payload_bytes": len(payload),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    header["header_sha256"] = _header_digest(header)
    replace_file(path, json.dumps(header, sort_keys=True).encode() + b"\n" + payload)


_FIELDS = {
    "epoch": int,
    "step": int,
    "meta": dict,
    "payload_bytes": int,
    "payload_sha256": str,
}


def _read_regular(path: pathlib.Path) -> bytes:
    """The bytes of `path`, refused without waiting if it is not a regular file (a
    FIFO would block the read forever)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as f:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise CheckpointError(f"{path}: not a regular file, so not a checkpoint")
        return f.read()


def read_header(path: str | pathlib.Path) -> tuple[dict[str, Any], bytes]:
    """The header of the checkpoint at `path` and its payload, checked for integrity:
    the header against its own SHA-256, the payload against the header's."""
    path = pathlib.Path(path)
    try:
        raw = _read_regular(path)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such checkpoint") from None
    except OSError as error:
        raise CheckpointError(f"{path}: cannot be read ({error})") from None
    line, newline, payload = raw.partition(b"\n")
    try:
        header = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        header = None
    if not newline or not isinstance(header, dict) or header.get("format") not in _READABLE:
        raise CheckpointError(f"{path}: not a typedlenet checkpoint (no {FORMAT} header)")
    legacy = header["format"] != FORMAT  # format 1 had no header digest
    if not legacy and header.get("header_sha256") != _header_digest(header):
        raise CheckpointError(f"{path}: corrupt: the header does not match its SHA-256")
    for key, kind in _FIELDS.items():
        if not isinstance(header.get(key), kind):
            raise CheckpointError(f"{path}: corrupt: the header's `{key}` is missing or wrong")
    if len(payload) != header["payload_bytes"]:
        raise CheckpointError(
            f"{path}: truncated: the header promises {header['payload_bytes']} bytes of "
            f"parameters, the file has {len(payload)}"
        )
    if hashlib.sha256(payload).hexdigest() != header["payload_sha256"]:
        raise CheckpointError(f"{path}: corrupt: the parameters do not match their SHA-256")
    return header, payload


def read_checkpoint(path: str | pathlib.Path, like_model: Any, like_opt_state: Any) -> State:
    """The state in `path`, read into the structure of `like_model` and `like_opt_state`."""
    header, payload = read_header(path)
    try:
        model, opt_state = eqx.tree_deserialise_leaves(
            io.BytesIO(payload), (like_model, like_opt_state)
        )
    except Exception as error:  # equinox/numpy say what did not fit
        raise CheckpointError(f"{path}: does not fit this model and optimizer ({error})") from None
    return State(model, opt_state, header["epoch"], header["step"], header["meta"])
