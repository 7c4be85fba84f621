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
