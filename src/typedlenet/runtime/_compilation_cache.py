"""The compilation cache keeps XLA's compiled programs on disk, per machine, so
that a later run compiles nothing it compiled before: `typedlenet train`'s
LeNet step, and every small program that building the model and loading the
data compile op by op. From process start to the first finished step on
mnist-5k at b=128 (`bench/startup.py`, warm caches): 1.5 s against 3.8-4.6 s
without it (AMD EPYC, 2 cores).
"""

from __future__ import annotations

import os
import pathlib

from .._config import cache_dir, flag
from ._atomic import make_writable

__all__ = ["use_compilation_cache"]

_CACHE_BYTES = 1 << 28  # the compilation cache's size, least recently used first out


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
