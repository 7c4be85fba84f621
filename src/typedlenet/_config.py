"""Environment switches, read and validated in one place; nothing else happens here.

- `TYPEDLENET_CHECKS`: annotation checks on (default) or off at start-up
  (`tl.set_checks` changes it later);
- `TYPEDLENET_TUNE_MALLOC`: whether the command line, the benchmarks and
  `train()` tune glibc malloc for XLA:CPU (default on; library use never does).
- `TYPEDLENET_AUTOTUNE`: whether `train()` measures LeNet's lowering choices on
  first use of a shape and caches them (default on; off: the built-in choices).
- `TYPEDLENET_COMPILATION_CACHE`: whether `typedlenet train` keeps XLA's
  compiled programs on disk (default on; `_runtime.use_compilation_cache`).
- `TYPEDLENET_CACHE_DIR`: where those caches live (default
  `$XDG_CACHE_HOME/typedlenet`, else `~/.cache/typedlenet`).
- `TYPEDLENET_LSP_TIMEOUT`: seconds `typedlenet lsp` gives each check or trace
  of a file before it kills it (default 30).

The switches take `1`, `true`, `on`, `yes` or `0`, `false`, `off`, `no` (any case), the
numbers a positive decimal (`2.5`); any other value is an error naming the variable,
not a silent default.
"""

from __future__ import annotations

import dataclasses
import math
import os
import pathlib

__all__ = ["cache_dir", "flag", "number", "state"]

_ON = {"1", "true", "on", "yes"}
_OFF = {"0", "false", "off", "no"}


def flag(name: str, default: bool) -> bool:
    """The boolean environment variable `name`, or `default` when unset or empty."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise ValueError(
        f"environment variable {name}={raw!r}: expected one of "
        f"{', '.join(sorted(_ON))} (on) or {', '.join(sorted(_OFF))} (off)"
    )


def number(name: str, default: float) -> float:
    """The positive number in environment variable `name`, or `default` when unset or empty."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"environment variable {name}={raw!r}: expected a positive number")
    return value


def cache_dir() -> pathlib.Path:
    """The directory of typedlenet's per-machine caches (read when asked, so a
    change of the variables takes effect; nothing is created here)."""
    given = os.environ.get("TYPEDLENET_CACHE_DIR", "").strip()
    if given:
        return pathlib.Path(given).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = pathlib.Path(xdg) if xdg else pathlib.Path.home() / ".cache"
    return base / "typedlenet"


@dataclasses.dataclass
class _State:
    checks: bool
    tune_malloc: bool


state = _State(
    checks=flag("TYPEDLENET_CHECKS", True),
    tune_malloc=flag("TYPEDLENET_TUNE_MALLOC", True),
)
