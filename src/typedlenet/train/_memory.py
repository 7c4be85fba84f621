"""Will a training run fit in memory? A lower bound, checked before anything is
allocated, so that `--hidden 100000000` is a one-line refusal rather than an
out-of-memory crash inside XLA half a minute later.

The bound counts only what training must hold at once, whatever the lowering:
the parameters, their gradients and Adam's two moments (4 floats a parameter),
and one batch of images. A run refused by it could not have run; one that passes
it may still need more (activations, XLA's scratch), which XLA reports itself.
"""

from __future__ import annotations

import math
import os
from typing import Any

import jax
import jax.numpy as jnp

__all__ = ["available_bytes", "fmt_bytes", "memory_refusal", "parameter_count", "training_bytes"]

_FLOATS_PER_PARAMETER = 4  # the parameter, its gradient, Adam's first and second moments


def parameter_count(model: Any) -> int:
    """Elements in the floating-point leaves of `model` (arrays or their shapes)."""
    return sum(
        math.prod(leaf.shape)
        for leaf in jax.tree_util.tree_leaves(model)
        if hasattr(leaf, "dtype") and jnp.issubdtype(leaf.dtype, jnp.inexact)
    )


def training_bytes(model: Any, batch: int, image_elements: int, itemsize: int = 4) -> int:
    """The least memory that training `model` (arrays or shapes) on batches of
    `batch` images of `image_elements` values needs, in bytes."""
    return itemsize * (_FLOATS_PER_PARAMETER * parameter_count(model) + batch * image_elements)


def available_bytes(device: Any = None) -> int | None:
    """Memory a computation on `device` can have: the accelerator's own memory
    limit, or for the CPU the host's available memory (`MemAvailable`); None if
    unknown."""
    device = device or jax.devices()[0]
    if device.platform != "cpu":
        stats = device.memory_stats() or {}
        limit = stats.get("bytes_limit")
        return None if limit is None else int(limit) - int(stats.get("bytes_in_use", 0))
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


def fmt_bytes(n: float) -> str:
    """`n` bytes in the largest unit that keeps it above 1 (GB = 10^9 bytes)."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} bytes"


def memory_refusal(model: Any, batch: int, image_elements: int, devices: int = 1) -> str:
    """Why `model` (its arrays or their shapes), trained on batches of `batch`
    images of `image_elements` values split over `devices`, cannot fit in the
    memory available ('' if it may)."""
    share = batch // max(devices, 1)  # each device takes a share
    need = training_bytes(model, share, image_elements)
    have = available_bytes()
    if have is None or need <= have:
        return ""
    return (
        f"--batch-size {batch}: training needs at least "
        f"{fmt_bytes(need)} ({parameter_count(model):,} parameters, their gradients and "
        f"Adam's two moments, and a batch), but {jax.devices()[0].platform.upper()} memory "
        f"available is {fmt_bytes(have)}; choose smaller sizes"
    )
