"""Reports as aligned text tables (`verify`'s report, LeNet's summary)."""

from __future__ import annotations

__all__ = ["table"]


def table(rows: list[tuple[str, ...]]) -> list[str]:
    """`rows` as lines whose columns line up (two spaces between columns)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
