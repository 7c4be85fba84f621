"""The sizes for which a checked function is well-typed, when JAX cannot decide
it for every size: a search over concrete sizes of one symbol at a time.

A pool, a strided unfold or an unflatten asks that a size divide another; for
a free symbol `h` JAX cannot prove `2 divides h - 4`. Checking `h = 1, 2, ...`
(the other symbols left symbolic, the declared constraints respected) finds
the family of sizes that type-check (`h = 4m + 12`) and the smallest size
that does not, which a constraint admitting it would let through.

The search is pure: it runs what it is given. `typedlenet check` gives it a
checked function's abstract run; `tl.verify` the function and inputs it was
asked about, with one symbol made concrete.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from .errors import AxisError

__all__ = ["WINDOW", "Family", "families", "family", "line", "progression", "search"]

WINDOW = 64
"""How many sizes (1..WINDOW) the search tries per symbol."""


def _admits(claims: tuple[str, ...], symbol: str, value: int) -> bool:
    """Whether the declared constraints that mention only `symbol` admit `value`."""
    for claim in claims:
        words = set(re.findall(r"[A-Za-z_]\w*", claim)) - {"mod", "floordiv", "max", "min"}
        if words == {symbol}:
            text = claim.replace(symbol, str(value))
            text = re.sub(r"mod\(([^,]+),([^)]+)\)", r"((\1) % (\2))", text)
            text = re.sub(r"floordiv\(([^,]+),([^)]+)\)", r"((\1) // (\2))", text)
            try:
                if not eval(text, {"__builtins__": {}}, {}):
                    return False
            except Exception:  # a claim this search cannot read: do not filter on it
                continue
    return True


def _same_place(error: BaseException, like: AxisError | None) -> bool:
    """Whether `error` is the failure `like` is (the same operation on the same
    axis), not one elsewhere that another symbol, left symbolic, runs into."""
    if like is None or not isinstance(error, AxisError):
        return True
    return (error.op, error.axis) == (like.op, like.axis)


def search(
    run: Any, claims: tuple[str, ...], symbol: str, like: AxisError | None = None
) -> tuple[list[int], list[int]]:
    """The admitted sizes of `symbol` in 1..WINDOW for which the failure `like`
    goes away, and those for which it stays (with `like` None: any failure)."""
    good, bad = [], []
    for value in range(1, WINDOW + 1):
        if not _admits(claims, symbol, value):
            continue
        try:
            run({symbol: value})
        except Exception as error:
            (bad if _same_place(error, like) else good).append(value)
        else:
            good.append(value)
    return good, bad


def progression(values: list[int]) -> tuple[int, int] | None:
    """`(a, b)` when `values` are exactly `a*m + b` for m = 1, 2, ... (within the window)."""
    if len(values) < 2:
        return None
    a = values[1] - values[0]
    b = values[0] - a
    expected = list(range(values[0], values[-1] + 1, a))
    return (a, b) if expected == values and values[-1] + a > WINDOW else None


@dataclasses.dataclass(frozen=True)
class Family:
    """What the search found for one symbol: the sizes in 1..WINDOW (admitted by
    the declared constraints) for which the failure goes away (`good`) and those
    for which it stays (`bad`)."""

    symbol: str
    good: tuple[int, ...]
    bad: tuple[int, ...]

    @property
    def form(self) -> tuple[int, int] | None:
        """`(a, b)` when the good sizes are exactly `a*m + b` for m = 1, 2, ..."""
        return progression(list(self.good))

    def size(self, multiplier: str) -> str | None:
        """The good sizes as a size expression of a new symbol `multiplier`
        (`4*m`, `m + 2`, `4*m - 1`), for an annotation or `tl.abstract`; None
        when they are not an arithmetic progression."""
        form = self.form
        if form is None:
            return None
        a, b = form
        text = multiplier if a == 1 else f"{a}*{multiplier}"
        if b:
            text += f" + {b}" if b > 0 else f" - {-b}"
        return text


def families(
    error: AxisError, symbols: set[str], claims: tuple[str, ...], run: Callable[[dict], Any]
) -> list[Family]:
    """For each of `symbols` (the inputs' symbols) among the free symbols of
    `error` (an `"undecidable"` one), the sizes for which `run({symbol: size})`
    (the rest left symbolic) gets past the place `error` was raised, and those
    for which it does not."""
    out = []
    for symbol in sorted(set(error.symbols) & symbols):
        good, bad = search(run, claims, symbol, error)
        out.append(Family(symbol, tuple(good), tuple(bad)))
    return out


def family(
    error: AxisError, symbols: set[str], claims: tuple[str, ...], run: Callable[[dict], Any]
) -> list[str]:
    """Lines for a diagnostic: for each of the input `symbols` among the free
    symbols of `error` (an `"undecidable"` one), the sizes for which
    `run({symbol: size})` type-checks, and the smallest size (admitted by
    `claims`) for which it does not."""
    return [line(found) for found in families(error, symbols, claims, run)]


def line(found: Family) -> str:
    """One diagnostic line for `found`: its family, or its sizes, and the
    smallest counterexample."""
    symbol, good, bad = found.symbol, found.good, found.bad
    if not good:
        return f"  no size of `{symbol}` in 1..{WINDOW} makes it well-typed" + (
            f" (smallest counterexample {symbol} = {bad[0]})" if bad else ""
        )
    form = found.form
    sizes = (
        f"{symbol} = {form[0]}m {'-' if form[1] < 0 else '+'} {abs(form[1])} (m >= 1)"
        if form
        else (f"{symbol} in {{{', '.join(map(str, good[:8]))}{', ...' if len(good) > 8 else ''}}}")
    )
    counter = f"; smallest counterexample {symbol} = {bad[0]}" if bad else ""
    return f"  well-typed for {sizes}{counter}"
