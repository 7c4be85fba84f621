# typecheck: ill-typed
"""Positional twin of typecheck/flatten_inp_200.py: X^4 flattens to 256 inputs, but the
MLP's U was built for 200."""

import jax
from jaxtyping import Array, Float


def program(
    X4: Float[Array, "b 16 4 4"],
    U: Float[Array, "200 120"],
    b1: Float[Array, " 120"],
    V: Float[Array, "120 10"],
    b2: Float[Array, " 10"],
):
    X5 = X4.transpose(0, 2, 3, 1).reshape(X4.shape[0], -1)
    return jax.nn.relu(X5 @ U + b1) @ V + b2  # E: 256 against 200
