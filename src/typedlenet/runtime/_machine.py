"""Which machine this is, as far as compiled code and measured choices care:
the CPU (model, family, vector units), the cores, JAX's version and the device.
The autotune's cache (`typedlenet.lenet._tune`) and the compilation cache
(`_runtime.use_compilation_cache`) are both kept per machine by `machine_key`.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import platform
from typing import Any

import jax

__all__ = ["machine", "machine_key"]


def machine() -> dict[str, Any]:
    """What the choices depend on: the CPU (model name, family and model numbers:
    "AMD EPYC" alone names Zen 4 and Zen 5 alike) and its vector extensions, the
    cores, JAX's version, the device."""
    fields: dict[str, str] = {}
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
            if key.strip() == "flags":
                break
    except OSError:
        pass
    flags = fields.get("flags", "").split()
    device = jax.devices()[0]
    return {
        "cpu": fields.get("model name") or platform.processor() or "unknown",
        "family": fields.get("cpu family", ""),
        "model": fields.get("model", ""),
        "vector": sorted(f for f in flags if f.startswith(("avx", "amx", "sse4", "fma"))),
        "cores": os.cpu_count(),
        "jax": jax.__version__,
        "device": f"{device.platform}:{getattr(device, 'device_kind', '')}",
        "devices": jax.device_count(),
    }


def machine_key(info: dict[str, Any] | None = None) -> str:
    """A short hash of `machine()` (or of `info`)."""
    info = machine() if info is None else info
    return hashlib.sha256(json.dumps(info, sort_keys=True).encode()).hexdigest()[:16]
