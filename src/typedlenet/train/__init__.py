"""`typedlenet.train`: the training application behind `typedlenet train`.

- `typedlenet.train.data`: datasets (the embedded MNIST subset, IDX files,
  Fashion-MNIST from Debian), batches;
- `RunConfig`, `train(config, dataset)`, `evaluate`, `load_model`: the loop
  with its run directory, checkpoints, metrics, signals and resume.

Not imported by `import typedlenet`. `typedlenet.train.data` is light (numpy and
the core); the loop (optax, the autotune) is loaded on first use of its names.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import data
    from ._trainer import RunConfig, evaluate, load_model, train

__all__ = ["RunConfig", "data", "evaluate", "load_model", "train"]

_LAZY = {"RunConfig", "evaluate", "load_model", "train"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}._trainer"), name)
    if name == "data":
        return importlib.import_module(f"{__name__}.data")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
