"""Trust: where the user lets the server run files' code (the `trust` of
`initializationOptions`; the package's docstring says how it is given), and
the diagnostic of a file the server does not check for want of it.
"""

from __future__ import annotations

import dataclasses
import pathlib
from typing import Any

from ._diagnostics import INFORMATION, _diagnostic, _file
from ._frames import _log


@dataclasses.dataclass(frozen=True)
class _Trust:
    """Where the user lets the server run files' code."""

    everything: bool = False
    folders: tuple[pathlib.Path, ...] = ()

    def allows(self, path: pathlib.Path) -> bool:
        if self.everything:
            return True
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            return False
        return any(resolved.is_relative_to(folder) for folder in self.folders)


def _folder(given: str) -> pathlib.Path | None:
    path = _file(given) if given.startswith("file:") else pathlib.Path(given).expanduser()
    if path is None or not path.is_absolute():
        return None
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _workspace(params: dict[str, Any]) -> list[pathlib.Path]:
    """The folders the editor declared in `initialize`."""
    given: list[str] = []
    folders = params.get("workspaceFolders")
    if isinstance(folders, list):
        given = [f["uri"] for f in folders if isinstance(f, dict) and isinstance(f.get("uri"), str)]
    if not given and isinstance(params.get("rootUri"), str):
        given = [params["rootUri"]]
    if not given and isinstance(params.get("rootPath"), str):
        given = [params["rootPath"]]
    return [p for p in map(_folder, given) if p is not None]


def _trust(params: dict[str, Any]) -> _Trust:
    """The trust given in `initializationOptions` (none when absent or malformed)."""
    options = params.get("initializationOptions")
    given = options.get("trust", False) if isinstance(options, dict) else False
    if given is False or given is None:
        return _Trust()
    if given is True:
        workspace = _workspace(params)
        return _Trust(everything=not workspace, folders=tuple(workspace))
    if isinstance(given, list) and all(isinstance(f, str) for f in given):
        folders = []
        for f in given:
            folder = _folder(f)
            if folder is None:
                _log(f"initializationOptions trust: ignored {f!r} (not an absolute folder)")
            else:
                folders.append(folder)
        return _Trust(folders=tuple(folders))
    _log(
        f"initializationOptions trust={given!r:.100}: expected true, false or a list of "
        "folders; trusting nothing"
    )
    return _Trust()


def _untrusted(path: pathlib.Path) -> dict[str, Any]:
    message = (
        "typedlenet does not check this file: checking imports it, which runs its code, "
        f"and {path.parent} is not trusted. To trust it, give the language server the "
        'initialization option "trust": true (your editor\'s workspace) or '
        '"trust": ["/path/to/folder", ...] (in your editor\'s configuration of typedlenet lsp).'
    )
    return _diagnostic(0, 0, 1, message, "trust", INFORMATION)
