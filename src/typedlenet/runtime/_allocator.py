"""glibc malloc tuned for XLA:CPU: the command line, the benchmarks and
`train()` apply it first thing; a user's own compiled step gets it when it is
first traced (`tune_allocator_for_step`); importing typedlenet never does.

XLA:CPU allocates its scratch buffer afresh at every call of a compiled
function, from whichever thread runs it. With glibc's defaults a worker
thread allocates from its own arena, whose heaps are at most 64 MiB, so a
larger buffer (97 MB for LeNet's training step at batch 512) is mmapped and
unmapped at every step, and each of its pages faults on first touch: 23,800
page faults per step, a third of the step's time. One arena, with the mmap and
trim thresholds raised, keeps that buffer in the heap, where it is reused
(2,300 faults per step; the step 1.5x faster). Measured in bench/NOTES.md.

glibc's defaults keep a freed block up to 32 MiB for reuse: LeNet's training
step in a user's own loop needs 31.1 MiB of scratch at batch 512 with the
built-in lowering, so up to that batch it runs without faults and without this
setting; larger batches (62 MiB at 1024) still depend on it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

from .._config import state

__all__ = [
    "allocator_tuned",
    "tune_allocator",
    "tune_allocator_for_step",
    "tune_allocator_if_enabled",
]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
_tuned = False
_step_seen = False
_log = logging.getLogger("typedlenet")


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


def tune_allocator_for_step() -> bool:
    """`tune_allocator_if_enabled()` once per process, when the layers are first
    traced for a compiled step on a CPU backend; announced in one log line
    (logger "typedlenet", level INFO). Returns whether this call tuned it.

    The layers' positional kernels (`nn._lowering`) call it while tracing, so a
    user's own `jax.jit` or `eqx.filter_jit` loop over `tl.LeNet` or `tl.nn`'s
    convolutions and poolings gets the allocator of `typedlenet train` without a
    call of its own: the settings are made before XLA allocates the step's first
    scratch buffer (measured: 12,500 samples/s and 10,300 page faults a step at
    b=512 without, 17,400 and 4 with, against 18,800 when tuned at start-up;
    bench/NOTES.md). `TYPEDLENET_TUNE_MALLOC=0` turns it off; a process that
    tuned already (the command line) is left as it is, and says nothing.
    """
    global _step_seen
    if _step_seen:
        return False
    _step_seen = True
    if _tuned or not state.tune_malloc:
        return False
    import jax  # the backend is running: a step is being traced

    if jax.default_backend() != "cpu" or not tune_allocator():
        return False
    _log.info(
        "glibc malloc set to keep XLA:CPU's scratch buffers for the first "
        "compiled step (one arena, 1 GiB mmap and trim thresholds); "
        "TYPEDLENET_TUNE_MALLOC=0 keeps glibc's defaults"
    )
    return True
