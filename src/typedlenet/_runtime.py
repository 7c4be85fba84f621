"""Process settings that make XLA fast: the command line, the benchmarks and
`train()` apply them; importing typedlenet never does.

XLA:CPU allocates its scratch buffer afresh at every call of a compiled
function, from whichever thread runs it. With glibc's defaults a worker
thread allocates from its own arena, whose heaps are at most 64 MiB, so a
larger buffer (97 MB for LeNet's training step at batch 512) is mmapped and
unmapped at every step, and each of its pages faults on first touch: 23,800
page faults per step, a third of the step's time. One arena, with the mmap and
trim thresholds raised, keeps that buffer in the heap, where it is reused
(2,300 faults per step; the step 1.5x faster). Measured in bench/NOTES.md.

The compilation cache keeps XLA's compiled programs on disk, per machine, so
that a later run compiles nothing it compiled before: `typedlenet train`'s
LeNet step, and every small program that building the model and loading the
data compile op by op. From process start to the first finished step on
mnist-5k at b=128 (`bench/startup.py`, warm caches): 1.5 s against 3.8-4.6 s
without it (AMD EPYC, 2 cores).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import pathlib
import sys

from ._atomic import make_writable
from ._config import cache_dir, flag, state

__all__ = [
    "allocator_tuned",
    "tune_allocator",
    "tune_allocator_if_enabled",
    "use_compilation_cache",
]

_CACHE_BYTES = 1 << 28  # the compilation cache's size, least recently used first out

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
_tuned = False


def tune_allocator(threshold: int = 1 << 30) -> bool:
    """Make glibc malloc keep large buffers for reuse: one arena for all threads,
    and mmap and trim thresholds of `threshold` bytes.

    The cost: freed memory stays with the process (its peak heap) instead of
    returning to the kernel, for the whole process. Does nothing and returns
    False off Linux or without glibc. A library user calls it, if at all, before
    heavy work; `typedlenet train` and `train()` call `tune_allocator_if_enabled`.
    """
    global _tuned
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    ok = all(
        mallopt(option, value)
        for option, value in (
            (_M_ARENA_MAX, 1),
            (_M_MMAP_THRESHOLD, threshold),
            (_M_TRIM_THRESHOLD, threshold),
        )
    )
    _tuned = _tuned or ok
    return ok


def allocator_tuned() -> bool:
    """Whether `tune_allocator` has changed glibc malloc's settings in this process."""
    return _tuned


def tune_allocator_if_enabled() -> bool:
    """`tune_allocator()` unless the environment sets `TYPEDLENET_TUNE_MALLOC=0`."""
    return tune_allocator() if state.tune_malloc else False


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
