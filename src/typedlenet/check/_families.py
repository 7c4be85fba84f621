"""The family search of `typedlenet check`: `typedlenet._core.families`, which
`tl.verify` uses too, under the name the checker has always imported."""

from __future__ import annotations

from .._core.families import WINDOW, family, progression, search

__all__ = ["WINDOW", "family", "progression", "search"]
