"""`typedlenet.runtime`: process tuning, each switched on only when asked.

- `tune_allocator()`: glibc malloc set to keep XLA:CPU's scratch buffers (done
  once by itself when a compiled step over the layers is first traced:
  `tune_allocator_for_step`, switched off by `TYPEDLENET_TUNE_MALLOC=0`);
- `use_compilation_cache()`: XLA's compiled programs kept on disk, per machine;
- `machine()` / `machine_key()`: the identity of this machine's CPU, which keys
  both caches.

Importing this package changes nothing in the process. The same functions are
also `typedlenet.tune_allocator`, `typedlenet.allocator_tuned` and
`typedlenet.use_compilation_cache` (older names, kept).
"""

from ._allocator import (
    allocator_tuned,
    tune_allocator,
    tune_allocator_for_step,
    tune_allocator_if_enabled,
)
from ._compilation_cache import use_compilation_cache
from ._machine import machine, machine_key

__all__ = [
    "allocator_tuned",
    "machine",
    "machine_key",
    "tune_allocator",
    "tune_allocator_for_step",
    "tune_allocator_if_enabled",
    "use_compilation_cache",
]
