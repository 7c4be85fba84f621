# typecheck: well-typed
"""Positional twin of typecheck/mlp_symbolic_hidden.py: an MLP with a symbolic hidden
width `d` whose outer weight is stored output-first."""

import jax
from jaxtyping import Array, Float


def program(
    X: Float[Array, "b 64"],
    W1: Float[Array, "64 d"],
    b1: Float[Array, " d"],
    W2: Float[Array, "3 d"],
    b2: Float[Array, " 3"],
):
    Y = jax.nn.relu(X @ W1 + b1) @ W2.T + b2
    assert Y.shape[1] == 3
    return Y
