"""`tl.constraints`: claims about the symbols of a function's annotations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["constraints"]


def constraints(*claims: str) -> Callable[[Any], Any]:
    """Decorator: JAX constraints on the symbols of a function's (or a module
    class's) annotations, used when it is verified abstractly.

    Each claim is a comparison JAX's symbolic shapes accept (`>=`, `<=`, `==`
    between size expressions). The claims are stored on the object; nothing
    changes when it is called.

    Example:
        >>> @tl.constraints("h >= kh", "w >= kw")
        ... def conv(X, W): ...
        >>> conv.__typedlenet_constraints__
        ('h >= kh', 'w >= kw')
    """

    def mark(obj: Any) -> Any:
        obj.__typedlenet_constraints__ = tuple(claims)
        return obj

    return mark
