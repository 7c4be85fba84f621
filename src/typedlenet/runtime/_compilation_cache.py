"""The compilation cache keeps XLA's compiled programs on disk, per machine, so
that a later run compiles nothing it compiled before: `typedlenet train`'s
LeNet step, and every small program that building the model and loading the
data compile op by op. From process start to the first finished step on
mnist-5k at b=128 (`bench/startup.py`, warm caches): 1.5 s against 3.8-4.6 s
without it (AMD EPYC, 2 cores).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import pathlib
import sys
import threading
from collections.abc import Callable
from typing import Any

from .._config import cache_dir, flag
from ._atomic import make_writable

__all__ = ["CacheFault", "cache_fault", "use_compilation_cache"]

_CACHE_BYTES = 1 << 28  # the compilation cache's size, least recently used first out


@dataclasses.dataclass(frozen=True)
class CacheFault:
    """Why the compilation cache was turned off mid-run: the `directory`, what was
    being done (`action`: "storing" or "reading" a compiled program), and the
    `OSError` (a full disk, a directory made read-only or removed)."""

    directory: pathlib.Path
    action: str
    error: OSError

    def line(self) -> str:
        """The one line that reports it."""
        error = self.error
        where = f": {error.filename}" if error.strerror and error.filename else ""
        return (
            f"typedlenet: compilation cache {self.directory}: {self.action} a compiled program "
            f"failed ({error.strerror or error}{where}); the cache is off for the rest of this run"
        )


_directory: list[pathlib.Path] = []  # the directory in use, once the guard is installed
_fault: list[CacheFault] = []  # the fault that turned the cache off, if any
_lock = threading.Lock()


def cache_fault() -> CacheFault | None:
    """The fault that turned the compilation cache off in this process, if any."""
    return _fault[0] if _fault else None


def use_compilation_cache(directory: pathlib.Path | None = None) -> tuple[pathlib.Path | None, str]:
    """Keep XLA's compiled programs in `directory` (default: `xla/<machine>` under
    typedlenet's cache directory, one per machine key, since a program compiled
    for one CPU's vector units may not run on another), for every later run.
    At most 256 MiB, least recently used programs out (with `filelock` installed,
    as the `train` extra does; without it, unbounded).

    Entries that do not decompress (a write cut short, corrupt bytes) are
    removed first, reading the whole cache once (a few hundred KB for LeNet):
    JAX would warn about each on every run and never write it
    again. Returns `(path, note)` when the cache is in use (`note` says how many
    were removed, if any), or `(None, why)` when it is not:
    `TYPEDLENET_COMPILATION_CACHE=0` or a directory that cannot be written. A
    directory JAX was given already (`JAX_COMPILATION_CACHE_DIR`) is left as it
    is and returned. Programs compiled earlier in the process are not stored.
    """
    import jax

    from ._machine import machine_key

    if not flag("TYPEDLENET_COMPILATION_CACHE", True):
        return None, "TYPEDLENET_COMPILATION_CACHE=0"
    given = getattr(jax.config, "jax_compilation_cache_dir", None)
    if given:
        return pathlib.Path(given), ""
    path = directory or cache_dir() / "xla" / machine_key()
    try:
        make_writable(path)
    except OSError as error:
        return None, f"{path} is not writable ({error.strerror or error})"
    dropped = _drop_unreadable(path)
    jax.config.update("jax_compilation_cache_dir", os.fspath(path))
    jax.config.update("jax_enable_compilation_cache", True)  # a fault may have turned it off
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    try:  # JAX bounds the cache's size only with `filelock` (the `train` extra)
        import filelock  # noqa: F401

        jax.config.update("jax_compilation_cache_max_size", _CACHE_BYTES)
    except ImportError:
        pass
    # JAX decides whether to use the cache at its first compilation, once; make
    # it decide again, in case this process has compiled already.
    from jax._src import compilation_cache

    compilation_cache.reset_cache()
    _guard(path)
    return path, f"{dropped} unreadable entries removed" if dropped else ""


def _drop_unreadable(path: pathlib.Path) -> int:
    """Remove the entries under `path` that do not decompress; how many."""
    from jax._src import compilation_cache

    dropped = 0
    for entry in path.glob("*-cache"):
        try:
            compilation_cache.decompress_executable(entry.read_bytes())
        except OSError:
            continue  # gone meanwhile, or not ours to read
        except Exception:  # zlib's or zstd's error: the bytes are not an entry
            try:
                entry.unlink(missing_ok=True)
                entry.with_name(entry.name.removesuffix("-cache") + "-atime").unlink(
                    missing_ok=True
                )
            except OSError:
                continue  # not ours to remove: JAX warns about it and compiles afresh
            dropped += 1
    return dropped


def _guard(path: pathlib.Path) -> None:
    """Route JAX's reads and writes of cache entries through `_guarded`, once."""
    from jax._src import compilation_cache

    _directory[:] = [path]
    _fault.clear()
    for name, fallback in (
        ("put_executable_and_time", None),
        ("get_executable_and_time", (None, None)),
        ("is_executable_in_cache", False),
    ):
        function = getattr(compilation_cache, name)
        if not getattr(function, "_typedlenet_guarded", False):
            setattr(compilation_cache, name, _guarded(function, fallback))


def _guarded(function: Callable[..., Any], fallback: Any) -> Callable[..., Any]:
    """`function`, but an `OSError` turns the cache off (`_turn_off`) and returns
    `fallback`, what JAX does when the cache holds nothing."""
    action = "storing" if function.__name__.startswith("put") else "reading"

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except OSError as error:
            key = args[0] if action == "storing" and args else kwargs.get("cache_key")
            _turn_off(action, error, key if isinstance(key, str) else None)
            return fallback

    guarded._typedlenet_guarded = True  # type: ignore[attr-defined]
    return guarded


def _turn_off(action: str, error: OSError, key: str | None) -> None:
    """Report the first fault in one line, remove the entry it cut short, and turn
    the cache off, so that JAX neither reads nor writes it again in this process."""
    import jax
    from jax._src import compilation_cache

    with _lock:
        if _fault:
            return
        directory = _directory[0] if _directory else pathlib.Path("?")
        fault = CacheFault(directory, action, error)
        _fault.append(fault)
    if key:  # a write cut short leaves a partial entry, or one without its time stamp
        for suffix in ("-cache", "-atime"):
            try:
                (directory / f"{key}{suffix}").unlink(missing_ok=True)
            except OSError:
                pass  # a later run's check of the entries removes it
    jax.config.update("jax_enable_compilation_cache", False)
    compilation_cache.reset_cache()
    print(fault.line(), file=sys.stderr, flush=True)
