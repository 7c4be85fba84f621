"""What XLA compiled for a jitted step: op counts of the optimized HLO and
XLA's cost analysis, to compare a named step with its positional twin.

    from compiled import summary
    print(summary(jax.jit(step).lower(*args).compile()))
"""

from __future__ import annotations

import collections
import re
from typing import Any

_OP = re.compile(r"= [^=]*? ([a-z][\w-]*)\(")
_WATCHED = ("fusion", "dot", "transpose", "copy", "broadcast", "select", "reduce", "convert")


def op_counts(compiled: Any) -> collections.Counter[str]:
    """How many instructions of each opcode the optimized HLO holds (all computations)."""
    return collections.Counter(_OP.findall(compiled.as_text()))


def summary(compiled: Any) -> str:
    """One line: XLA's FLOP and byte estimates and the counts of the opcodes that
    show layout work (transposes, copies, materialized broadcasts, selects)."""
    cost = compiled.cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    counts = op_counts(compiled)
    ops = ", ".join(f"{op} {counts[op]}" for op in _WATCHED)
    return (
        f"{cost.get('flops', 0) / 1e6:.1f} MFLOP, {cost.get('bytes accessed', 0) / 1e6:.1f} MB "
        f"accessed; {ops}"
    )


def op_times(run: Any, steps: int = 20) -> list[tuple[float, str]]:
    """Where a step's time goes: `run()` (one finished step) traced `steps` times
    with `jax.profiler`, each XLA op's time summed over the threads that ran it,
    in microseconds per step, largest first."""
    import glob
    import shutil
    import tempfile

    import jax

    run()  # compiled and warm before tracing
    folder = tempfile.mkdtemp(prefix="typedlenet-profile-")
    try:
        with jax.profiler.trace(folder):
            for _ in range(steps):
                run()
        (path,) = glob.glob(f"{folder}/**/*.xplane.pb", recursive=True)
        profile = jax.profiler.ProfileData.from_file(path)
        total: collections.Counter[str] = collections.Counter()
        for plane in profile.planes:
            for line in plane.lines:
                if not line.name.startswith("tf_XLAEigen"):  # XLA's compute threads
                    continue
                for event in line.events:
                    if event.name != "ThunkExecutor::Execute":
                        total[event.name] += event.duration_ns
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [(ns / steps / 1e3, name) for name, ns in total.most_common()]
