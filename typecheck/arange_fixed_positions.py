# typecheck: ill-typed
"""Positions from `arange("seq", 512)` added to embeddings of a symbolic length `n`:
the position table was sized for the maximum, not for this sequence."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X: Float[NamedArray, "batch:b seq:n embed:64"]):
    positions = tl.arange("seq", 512).astype(jnp.float32)
    return X + positions / 512.0  # E: `+`: axis `seq` has size n in the left operand and 512
