# typecheck: ill-typed
"""Positional twin of typecheck/one_hot_symbolic_wrong_count.py: label smoothing for `k`
classes that builds its one-hot with the vocabulary size `v` instead."""

import jax
from beartype import beartype
from jaxtyping import Array, Float, Int, jaxtyped


@jaxtyped(typechecker=beartype)
def smoothed(
    labels: Int[Array, " b"],
    logits: Float[Array, "b k"],
    E: Float[Array, "v d"],
) -> Float[Array, "b k"]:
    return 0.9 * jax.nn.one_hot(labels, E.shape[0]) + 0.1 / 10


def program(
    labels: Int[Array, " b"],
    logits: Float[Array, "b k"],
    E: Float[Array, "v d"],
):
    return smoothed(labels, logits, E)  # E: v classes where k are promised
