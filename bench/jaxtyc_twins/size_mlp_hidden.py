# typecheck: ill-typed
"""Positional twin of typecheck/size_mlp_hidden.py: the MLP's bias b1 has 100 hidden
units while U has 120."""

import jax
from jaxtyping import Array, Float


def program(
    X5: Float[Array, "b 256"],
    U: Float[Array, "256 120"],
    b1: Float[Array, " 100"],
    V: Float[Array, "120 10"],
    b2: Float[Array, " 10"],
):
    return jax.nn.relu(X5 @ U + b1) @ V + b2  # E: 120 against 100
