"""Environment switches, read and validated in one place; nothing else happens here.

- `TYPEDLENET_CHECKS`: annotation checks on (default) or off at start-up
  (`tl.set_checks` changes it later);
- `TYPEDLENET_TUNE_MALLOC`: whether glibc malloc is tuned for XLA:CPU: by the
  command line, the benchmarks and `train()` at start-up, and in library use
  once, when a compiled step over typedlenet's layers is first traced (default
  on; importing typedlenet never does).
- `TYPEDLENET_AUTOTUNE`: whether `train()` measures LeNet's lowering choices on
  first use of a shape and caches them, and whether a user's `LeNet` reads
  them when traced (default on; off: the built-in choices).
- `TYPEDLENET_COMPILATION_CACHE`: whether `typedlenet train` keeps XLA's
  compiled programs on disk (default on; `_runtime.use_compilation_cache`).
- `TYPEDLENET_CACHE_DIR`: where those caches live (default
  `$XDG_CACHE_HOME/typedlenet`, else `~/.cache/typedlenet`).
- `TYPEDLENET_LSP_TIMEOUT`: seconds `typedlenet lsp` gives each check or trace
  of a file before it kills it (default 30).
- `TYPEDLENET_CHECK_TIMEOUT`: seconds `typedlenet check` and `trace` give each
  file's import and each checked function, in their child process, before they
  kill it (default 60; `--timeout` overrides it).

The switches take `1`, `true`, `on`, `yes` or `0`, `false`, `off`, `no` (any case), the
numbers a positive decimal (`2.5`); any other value is a `ConfigError` naming the
variable, not a silent default. Each is read when first needed, never at import
(importing typedlenet never fails because of the environment); the `typedlenet`
command reads them all before it starts and reports a bad one in one line, with
exit status 2.
"""

from __future__ import annotations

import math
import os
import pathlib

__all__ = ["NUMBERS", "SWITCHES", "ConfigError", "cache_dir", "flag", "number", "state", "validate"]

_ON = {"1", "true", "on", "yes"}
_OFF = {"0", "false", "off", "no"}


# Every boolean switch and its default.
SWITCHES: dict[str, bool] = {
    "TYPEDLENET_CHECKS": True,
    "TYPEDLENET_TUNE_MALLOC": True,
    "TYPEDLENET_AUTOTUNE": True,
    "TYPEDLENET_COMPILATION_CACHE": True,
}


# Every number and its default.
NUMBERS: dict[str, float] = {
    "TYPEDLENET_LSP_TIMEOUT": 30.0,
    "TYPEDLENET_CHECK_TIMEOUT": 60.0,
    "TYPEDLENET_AUTOTUNE_BUDGET": 0.05,
}


class ConfigError(ValueError):
    """An environment variable of typedlenet's holds a value it does not take;
    `variable` names it and `value` is what it held."""

    def __init__(self, message: str, *, variable: str, value: str) -> None:
        super().__init__(message)
        self.variable = variable
        self.value = value


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
    raise ConfigError(
        f"environment variable {name}={raw!r}: expected one of "
        f"{', '.join(sorted(_ON))} (on) or {', '.join(sorted(_OFF))} (off)",
        variable=name,
        value=raw,
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
        raise ConfigError(
            f"environment variable {name}={raw!r}: expected a positive number",
            variable=name,
            value=raw,
        )
    return value


def validate() -> None:
    """Read every switch and number now: a `ConfigError` for the first bad one."""
    for name, default in SWITCHES.items():
        flag(name, default)
    for name, seconds in NUMBERS.items():
        number(name, seconds)


def cache_dir() -> pathlib.Path:
    """The directory of typedlenet's per-machine caches (read when asked, so a
    change of the variables takes effect; nothing is created here)."""
    given = os.environ.get("TYPEDLENET_CACHE_DIR", "").strip()
    if given:
        return pathlib.Path(given).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = pathlib.Path(xdg) if xdg else pathlib.Path.home() / ".cache"
    return base / "typedlenet"


class _State:
    """The process-wide settings, each read from its switch on first use (then
    kept: `tl.set_checks` changes `checks`)."""

    def __init__(self) -> None:
        self._checks: bool | None = None
        self._tune_malloc: bool | None = None

    @property
    def checks(self) -> bool:
        if self._checks is None:
            self._checks = flag("TYPEDLENET_CHECKS", SWITCHES["TYPEDLENET_CHECKS"])
        return self._checks

    @checks.setter
    def checks(self, value: bool) -> None:
        self._checks = value

    @property
    def tune_malloc(self) -> bool:
        if self._tune_malloc is None:
            self._tune_malloc = flag("TYPEDLENET_TUNE_MALLOC", SWITCHES["TYPEDLENET_TUNE_MALLOC"])
        return self._tune_malloc


state = _State()
