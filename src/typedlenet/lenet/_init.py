"""LeNet's initial parameters, drawn by one compiled program.

Drawn op by op, the six `jax.random.uniform` calls of `LeNet.__init__` compile
a dozen small programs of their own (Threefry's hash for each shape, then the
scaling), 3.5-5 s on a 2-core machine with empty caches, more than the
training step's own compilation. Here they are one program, compiled with
XLA's backend optimizations at level 1 (`xla_backend_optimization_level`: it
runs once, so its speed does not matter): 3.0-4.7 s against 12.9-13.6 s at
the default level at a load of 7 on 2 cores. The values are the same bits as
drawn op by op (level 0, 2-3 s, changes the last bit of some: a contraction
into a fused multiply-add).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import jax
import jax.numpy as jnp

__all__ = ["initial_parameters"]

# name, shape, fan-in: what `LeNet.__init__` draws, in order of its keys.
Draws = tuple[tuple[str, tuple[int, ...], int], ...]
_FAST_COMPILE = {"xla_backend_optimization_level": 1}


def _draw(key: jax.Array, draws: Draws) -> dict[str, jax.Array]:
    """U(-1/√fan_in, 1/√fan_in) for each draw, from the i-th of 8 keys split from `key`."""
    keys = jax.random.split(key, 8)
    out = {}
    for i, (name, shape, fan_in) in enumerate(draws):
        bound = 1.0 / math.sqrt(fan_in)
        out[name] = jax.random.uniform(keys[i], shape, jnp.float32, -bound, bound)
    return out


@functools.cache
def _jitted(draws: Draws) -> Any:
    return jax.jit(functools.partial(_draw, draws=draws))


@functools.cache
def _compiled(draws: Draws, shape: tuple[int, ...], dtype: str) -> Any:
    """The program for keys of `shape` and `dtype`, compiled to start soon;
    None where the backend does not take the option (then `_jitted` serves)."""
    if dtype != "uint32" or jax.default_backend() != "cpu":
        return None
    key = jax.ShapeDtypeStruct(shape, jnp.uint32)
    try:
        return _jitted(draws).lower(key).compile(_FAST_COMPILE)
    except Exception:
        return None


def initial_parameters(key: Any, draws: Draws) -> dict[str, jax.Array]:
    """Each of `draws` (name, shape, fan-in) drawn uniformly in ±1/√fan-in from
    the i-th of 8 keys split from `key`, as `jax.random.uniform` draws them."""
    tracer = isinstance(key, jax.core.Tracer)  # pyright: ignore[reportAttributeAccessIssue]
    if tracer or not hasattr(key, "dtype"):
        return _jitted(draws)(key)
    program = _compiled(draws, tuple(key.shape), str(key.dtype))
    return program(key) if program is not None else _jitted(draws)(key)
