"""Achieved FLOP/s of a compiled step against the CPU's nominal peak.

The step's floating-point operations are XLA's own count
(`compiled.cost_analysis()["flops"]`, multiply and add counted apart); the
achieved rate is that over the measured step time. The peak is an assumption
stated here, derived from /proc/cpuinfo:

    cores x fp32 lanes x 2 FMA units x 2 flops per FMA x clock

with `cores` = `os.cpu_count()` (vCPUs), fp32 lanes 16 with `avx512f`, 8 with
`avx2`/`avx`, 4 otherwise, and the clock the first `cpu MHz` line (the current
frequency, not the boost). Two FMA units of the full width is right for Intel
server cores with AVX-512 and for Zen 5; Zen 4 runs 512-bit FMAs as two 256-bit
halves, so there the true peak is half the figure. vCPUs that are hyperthreads
of one core share its units, so the peak is an upper bound.
"""

from __future__ import annotations

import os
import pathlib
from typing import Any


def peak_flops() -> tuple[float, str]:
    """(the nominal fp32 peak FLOP/s of this machine, how it was derived)."""
    flags: list[str] = []
    mhz = 0.0
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "flags" and not flags:
                flags = value.split()
            if key.strip() == "cpu MHz" and not mhz:
                mhz = float(value)
    except (OSError, ValueError):
        pass
    lanes = 16 if "avx512f" in flags else 8 if {"avx2", "avx"} & set(flags) else 4
    cores = os.cpu_count() or 1
    peak = cores * lanes * 2 * 2 * mhz * 1e6
    how = f"{cores} cores x {lanes} fp32 lanes x 2 FMA units x 2 x {mhz:,.0f} MHz"
    return peak, how


def step_flops(jitted: Any, *args: Any) -> float:
    """XLA's count of floating-point operations in one call of `jitted(*args)`
    (a `jax.jit` function; 0.0 when the backend does not say)."""
    analysis = jitted.lower(*args).compile().cost_analysis()
    if isinstance(analysis, list):
        analysis = analysis[0] if analysis else {}
    return float((analysis or {}).get("flops", 0.0))
